"""The demo: a fictional convener and three learning communities, loaded through the services.

Modelled on the guide *Building Sustainable Learning Communities* (SPEC section 6): a
first group of seven civil-society organizations and three intermediate support
organizations meeting in Tijuana, Mexico City and Sonora (2018-2020); a second group of
fourteen partner CSOs (Tijuana and Mexico City, 2019-2020); a third group of eight local
leaders from Sonora and Coahuila back from a study tour to Colombia (2019-2020). Every
name is invented.

The load is deterministic: content comes from the constants below, and every row
written by the services is re-dated to the day it happened in the story (the services
stamp ``timezone.now()``; the demo must read the same on every machine and every day).
Capability apps add their own data through their manifest's ``demo_seed`` hook, which
receives the ``DemoData`` built here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from . import choices, registry, services
from .models import (
    Affiliation,
    AuditEvent,
    Charter,
    Community,
    Goal,
    Invitation,
    Membership,
    Organization,
    PeerGroup,
    Person,
)

# Demo-only: printed on screen by `tequio demo`. Never reuse it on a real instance.
DEMO_PASSWORD = "tequio-demo-2020"  # noqa: S105
DEMO_DOMAIN = "demo.example.org"
CONVENER_ORGANIZATION = "Programa Internacional Raíces Cívicas"
LOCAL_TZ = ZoneInfo("America/Mexico_City")

Role = choices.Role
Kind = choices.OrganizationKind
Level = choices.StaffLevel
Theme = choices.ThematicArea
Group = choices.ExcludedGroup
Age = choices.AgeBand
Gender = choices.Gender
Horizon = choices.Horizon


# --- the shape of the content ------------------------------------------------------

@dataclass(frozen=True)
class _Org:
    key: str
    name: str
    kind: str
    state: str
    municipality: str
    themes: tuple[str, ...]
    groups: tuple[str, ...] = ()
    size: str = ""
    founded: int | None = None
    description: str = ""
    offers: str = ""
    seeks: str = ""
    tier: str = ""
    country: str = "MX"
    website: str = ""


@dataclass(frozen=True)
class _Person:
    key: str  # also the account's email local part, and shared across communities
    name: str
    organization: str
    position: str
    level: str
    role: str | None = None  # a membership role; None: in the registry only, no account
    gender: str = ""
    age: str = ""
    languages: tuple[str, ...] = ("es",)
    bio: str = ""
    pseudonym: bool = False
    phone: str = ""
    joined: date | None = None  # defaults to the community's founding day


@dataclass(frozen=True)
class _Goal:
    horizon: str
    title: str
    description: str
    created: date
    achieved: date | None = None
    dropped: date | None = None


@dataclass(frozen=True)
class _Charter:
    adopted: date
    adopted_how: str
    roles: str
    leadership: str
    rotation_months: int | None
    decision: str
    rules: str
    accountability: str
    participation: str
    effort: str
    review_months: int = 12


@dataclass(frozen=True)
class _PeerGroup:
    name: str
    basis: str
    description: str
    members: tuple[str, ...]
    created: date


@dataclass(frozen=True)
class _Community:
    key: str
    slug: str
    name: str
    purpose: str
    languages: tuple[str, ...]
    stage: str
    privacy: str
    founded: date
    organizations: tuple[_Org, ...]
    people: tuple[_Person, ...]
    goals: tuple[_Goal, ...]
    charters: tuple[_Charter, ...]
    peer_groups: tuple[_PeerGroup, ...]
    # (day, person key, new role): leadership rotating among members.
    role_changes: tuple[tuple[date, str, str], ...] = ()
    member_led_on: date | None = None
    convener_position: str = "Coordinadora del programa"
    # (day, person key, role, revoked): invitations never accepted; they have expired since.
    open_invitations: tuple[tuple[date, str, str, bool], ...] = ()


# --- the convener and the cross-community accounts -------------------------------

CONVENER = _Person(
    key="mariana.villasenor", name="Mariana Villaseñor Ortega", organization="convener",
    position="Coordinadora del programa", level=Level.MANAGEMENT, role=Role.CONVENER,
    gender=Gender.WOMAN, age=Age.FROM_35, languages=("es", "en"),
    bio=(
        "Coordina el programa de comunidades de aprendizaje de Raíces Cívicas desde 2018. "
        "Su trabajo es convocar, facilitar y, sobre todo, ceder poco a poco la conducción "
        "a las organizaciones miembro."
    ),
)

ADMIN_KEY = "administracion"

# Printed by `tequio demo`: one account per role, in this order.
SHOWCASE = [
    (Role.CONVENER, "mariana.villasenor"),
    (Role.STEWARD, "hector.ruelas"),
    (Role.MEMBER, "lucia.mendez"),
    (Role.ALLY, "rebecca.thornton"),
    (Role.OBSERVER, "anapaula.quintero"),
]

CONVENER_ORG_DESCRIPTION = (
    "Programa internacional (ficticio) de fortalecimiento de la sociedad civil en México. "
    "Convoca comunidades de aprendizaje entre organizaciones aliadas y acompaña su "
    "transición hacia un liderazgo propio."
)

REBECCA_BIO = (
    "Researcher on cross-border violence prevention. She joined the learning community as "
    "an ally to document how member organizations adapt mediation methods, and shares "
    "international literature in English and Spanish."
)


BORDERLANDS_LAB = _Org(
    "bprl", "Borderlands Peace Research Lab", Kind.ACADEMIA, "California", "San Diego",
    (Theme.PEACEBUILDING, Theme.VIOLENCE_PREVENTION), (), "6-20", 2011,
    "A university research lab (fictional) studying violence prevention on both sides of the border.",
    "Literature reviews and evaluation support, in English and Spanish.",
    "Case studies of community mediation in Mexico.", country="US",
)


def _d(year: int, month: int, day: int) -> date:
    return date(year, month, day)


# --- Group 1: 7 CSOs and 3 ISOs, Tijuana / Mexico City / Sonora, 2018-2020 --------

GROUP_1 = _Community(
    key="group1",
    slug="aliadas",
    name="Comunidad de Aprendizaje de Organizaciones Aliadas",
    purpose=(
        "Siete organizaciones de la sociedad civil y tres organizaciones de apoyo intermedio de "
        "**Baja California, Ciudad de México y Sonora** que aprenden juntas sobre prevención de "
        "la violencia, justicia penal, mediación y tecnología para el cambio social.\n\n"
        "Empezamos como un foro sobre fortalecimiento institucional y nos convertimos en un "
        "espacio de colaboración intencional con el sistema local.\n\n"
        "*In English:* seven CSOs and three intermediate support organizations learning together "
        "since 2018 on violence prevention, criminal justice, mediation and technology."
    ),
    languages=("es", "en"),
    stage=choices.Stage.ACTION,
    privacy=choices.Privacy.LISTED,
    founded=_d(2018, 10, 17),
    organizations=(
        _Org("jcp", "Jóvenes Constructores de Paz Tijuana, A.C.", Kind.CSO, "BCN", "Tijuana",
             (Theme.VIOLENCE_PREVENTION, Theme.MEDIATION), (Group.YOUTH, Group.MIGRANTS), "6-20", 2009,
             "Prevención secundaria y terciaria de la violencia con jóvenes de colonias del oriente de Tijuana.",
             "Metodología de mediación entre pares; talleres con jóvenes en conflicto con la ley.",
             "Herramientas digitales para dar seguimiento a los casos; contactos en el sistema de justicia."),
        _Org("cmf", "Centro de Mediación Comunitaria Frontera, A.C.", Kind.CSO, "BCN", "Mexicali",
             (Theme.MEDIATION, Theme.VIOLENCE_PREVENTION), (Group.YOUTH, Group.MIGRANTS), "6-20", 2012,
             "Mediación comunitaria y escolar para resolver conflictos sin violencia.",
             "Formación de mediadoras y mediadores comunitarios.",
             "Evidencia sobre el impacto de la mediación para presentarla a autoridades locales."),
        _Org("dcj", "Defensoría Ciudadana por la Justicia, A.C.", Kind.CSO, "CMX", "Cuauhtémoc",
             (Theme.CRIMINAL_JUSTICE, Theme.HUMAN_RIGHTS), (Group.YOUTH, Group.WOMEN), "21-50", 2004,
             "Acompañamiento legal y monitoreo del sistema de justicia penal acusatorio.",
             "Guías de derechos humanos para trabajar con autoridades locales; directorio de contactos clave.",
             "Aliados en los estados para replicar el monitoreo."),
        _Org("ocj", "Observatorio Ciudadano de Justicia Penal, A.C.", Kind.CSO, "CMX", "Benito Juárez",
             (Theme.CRIMINAL_JUSTICE, Theme.TRANSPARENCY, Theme.TECHNOLOGY), (), "6-20", 2014,
             "Datos abiertos y análisis sobre el funcionamiento de fiscalías y tribunales.",
             "Tableros de datos; buenas prácticas internacionales en justicia penal.",
             "Datos locales de Baja California y Sonora."),
        _Org("rsn", "Red Sonorense por los Derechos de la Niñez, A.C.", Kind.CSO, "SON", "Hermosillo",
             (Theme.CHILDREN_RIGHTS, Theme.VIOLENCE_PREVENTION), (Group.YOUTH, Group.INDIGENOUS, Group.RURAL), "6-20", 2010,
             "Promoción y defensa de los derechos de niñas, niños y adolescentes en Sonora.",
             "Incidencia con el sistema estatal de protección; educación de calle.",
             "Metodologías de mediación para trabajar con adolescentes."),
        _Org("tcs", "Tecnología para el Cambio Social, A.C.", Kind.CSO, "CMX", "Coyoacán",
             (Theme.TECHNOLOGY, Theme.VIOLENCE_PREVENTION), (Group.YOUTH,), "1-5", 2016,
             "Diseña aplicaciones y sitios web para prevenir la violencia y promover el cambio social.",
             "Desarrollo de aplicaciones; acompañamiento en seguridad digital.",
             "Organizaciones que quieran probar herramientas con sus comunidades."),
        _Org("cmd", "Colectivo Mujeres del Desierto, A.C.", Kind.CSO, "SON", "Cajeme",
             (Theme.GENDER, Theme.VIOLENCE_PREVENTION, Theme.MEDIATION), (Group.WOMEN, Group.INDIGENOUS), "1-5", 2013,
             "Prevención de la violencia contra las mujeres en comunidades yoreme y del valle del Yaqui.",
             "Círculos de mujeres; traducción y facilitación en lengua yoreme.",
             "Financiamiento flexible; formación en mediación."),
        _Org("fno", "Fortalece Noroeste, A.C.", Kind.ISO, "SON", "Hermosillo",
             (Theme.CAPACITY,), (), "6-20", 2007,
             "Organización de apoyo intermedio: fortalecimiento institucional y gestión de donativos en el noroeste.",
             "Diagnósticos organizacionales; acompañamiento contable y legal.",
             "Nuevas organizaciones locales con las que trabajar."),
        _Org("abo", "Alianza Bajacaliforniana de Organizaciones Civiles", Kind.ISO, "BCN", "Tijuana",
             (Theme.CAPACITY, Theme.TRANSPARENCY), (), "6-20", 2001,
             "Red y organización de apoyo intermedio de Baja California.",
             "Espacios de encuentro entre organizaciones; interlocución con gobierno municipal.",
             "Datos actualizados del sector."),
        _Org("cfo", "Centro de Fortalecimiento Institucional Ollin", Kind.ISO, "CMX", "Tlalpan",
             (Theme.CAPACITY, Theme.TRANSPARENCY), (), "6-20", 2005,
             "Fortalecimiento institucional y rendición de cuentas de organizaciones de la sociedad civil.",
             "Talleres de planeación estratégica; modelos de gobernanza.",
             "Experiencias de comunidades de aprendizaje para sistematizarlas."),
        BORDERLANDS_LAB,
    ),
    people=(
        _Person("hector.ruelas", "Héctor Ruelas Campos", "jcp", "Director", Level.LEADERSHIP, Role.MEMBER,
                Gender.MAN, Age.FROM_35, ("es", "en"),
                "Fundó Jóvenes Constructores de Paz después de quince años como educador de calle en Tijuana.",
                phone="+52 664 555 0101"),
        _Person("itzel.carrillo", "Itzel Carrillo Nava", "jcp", "Coordinadora de programas", Level.COORDINATION, Role.MEMBER,
                Gender.WOMAN, Age.FROM_25),
        _Person("brandon.osuna", "Brandon Osuna Lizárraga", "jcp", "Promotor comunitario", Level.FIELD, Role.MEMBER,
                Gender.MAN, Age.UNDER_25, joined=_d(2019, 3, 21)),
        _Person("patricia.lugo", "Patricia Lugo Anaya", "cmf", "Directora", Level.LEADERSHIP, Role.MEMBER,
                Gender.WOMAN, Age.FROM_45),
        _Person("emiliano.cecena", "Emiliano Ceceña Ruiz", "cmf", "Mediador comunitario", Level.FIELD,
                gender=Gender.MAN, age=Age.UNDER_25),
        _Person("veronica.salgado", "Verónica Salgado Ibarra", "dcj", "Directora ejecutiva", Level.LEADERSHIP, Role.MEMBER,
                Gender.WOMAN, Age.FROM_45),
        _Person("rodrigo.pineda", "Rodrigo Pineda Cortés", "dcj", "Coordinador jurídico", Level.COORDINATION,
                gender=Gender.MAN, age=Age.FROM_35),
        _Person("alejandra.rios", "Alejandra Ríos Becerril", "ocj", "Directora", Level.LEADERSHIP, Role.MEMBER,
                Gender.WOMAN, Age.FROM_35),
        _Person("diego.hernandez", "Diego Hernández Olvera", "ocj", "Analista de datos", Level.FIELD, Role.MEMBER,
                Gender.MAN, Age.FROM_25, joined=_d(2019, 3, 21)),
        _Person("lucia.mendez", "Lucía Méndez Arriaga", "rsn", "Coordinadora de incidencia", Level.COORDINATION, Role.MEMBER,
                Gender.WOMAN, Age.FROM_25, bio="Coordina la incidencia de la Red ante el sistema estatal de protección de la niñez."),
        _Person("fernando.valenzuela", "Fernando Valenzuela Quijada", "rsn", "Director", Level.LEADERSHIP,
                gender=Gender.MAN, age=Age.OVER_60),
        _Person("sofia.durazo", "Sofía Durazo Romo", "rsn", "Educadora de calle", Level.VOLUNTEER,
                gender=Gender.WOMAN, age=Age.UNDER_25),
        _Person("mauricio.tellez", "Mauricio Téllez Gaona", "tcs", "Director de tecnología", Level.LEADERSHIP, Role.MEMBER,
                Gender.MAN, Age.FROM_35, ("es", "en")),
        _Person("ximena.aguilar", "Ximena Aguilar Paredes", "tcs", "Desarrolladora", Level.FIELD,
                gender=Gender.WOMAN, age=Age.UNDER_25),
        _Person("dolores.buitimea", "Dolores Buitimea Valencia", "cmd", "Coordinadora general", Level.LEADERSHIP, Role.MEMBER,
                Gender.WOMAN, Age.FROM_45),
        _Person("anakaren.moroyoqui", "Ana Karen Moroyoqui Leyva", "cmd", "Promotora comunitaria", Level.FIELD,
                gender=Gender.WOMAN, age=Age.UNDER_25),
        _Person("jorgeluis.acuna", "Jorge Luis Acuña Bracamontes", "fno", "Director", Level.LEADERSHIP, Role.MEMBER,
                Gender.MAN, Age.FROM_45),
        _Person("claudia.morales", "Claudia Morales Encinas", "fno", "Gerente de fortalecimiento institucional", Level.MANAGEMENT,
                gender=Gender.WOMAN, age=Age.FROM_35),
        _Person("raul.ortega", "Raúl Ortega Zamudio", "abo", "Coordinador de la red", Level.MANAGEMENT, Role.MEMBER,
                Gender.MAN, Age.FROM_45),
        _Person("gabriela.sanchez", "Gabriela Sánchez Mora", "cfo", "Directora", Level.LEADERSHIP, Role.MEMBER,
                Gender.WOMAN, Age.FROM_35),
        _Person("luisenrique.castaneda", "Luis Enrique Castañeda Pérez", "cfo", "Consultor", Level.MANAGEMENT,
                gender=Gender.MAN, age=Age.FROM_25),
        _Person("rebecca.thornton", "Rebecca Thornton", "bprl", "Research director", Level.LEADERSHIP, Role.ALLY,
                Gender.WOMAN, Age.FROM_45, ("en", "es"), REBECCA_BIO, joined=_d(2019, 3, 21)),
    ),
    goals=(
        _Goal(Horizon.SHORT, "Documentar las metodologías de mediación que compartimos",
              "Las cuatro OSC que trabajan mediación integran sus guías en un solo documento de referencia.",
              _d(2018, 10, 18), achieved=_d(2019, 11, 14)),
        _Goal(Horizon.SHORT, "Rotar la relatoría en cada encuentro",
              "Quien relata un encuentro lo comparte con su equipo y con quienes no pudieron asistir.",
              _d(2019, 11, 14)),
        _Goal(Horizon.MEDIUM, "Mejorar juntas la prevención secundaria y terciaria con jóvenes",
              "Cuatro OSC comparan y ajustan sus metodologías de prevención de la violencia con jóvenes.",
              _d(2018, 10, 18)),
        _Goal(Horizon.MEDIUM, "Publish a bilingual case study of our criminal justice work",
              "A short case study, in Spanish and English, of how seven CSOs shared methods, contacts and "
              "human rights guidelines to work with local authorities.",
              _d(2019, 3, 21)),
        _Goal(Horizon.LONG, "Que la mediación sea política pública de prevención",
              "Incidir con autoridades de Tijuana, Ciudad de México y Sonora para adoptar la mediación como "
              "estrategia de prevención de la violencia.",
              _d(2018, 10, 18)),
        _Goal(Horizon.LONG, "Sostener la comunidad sin la convocante",
              "Para 2021 la comunidad se organiza, financia y facilita por sí misma.",
              _d(2019, 11, 14)),
    ),
    charters=(
        _Charter(
            adopted=_d(2018, 10, 18),
            adopted_how="consenso en el primer encuentro, Tijuana",
            roles=(
                "- **Convocante (Raíces Cívicas):** diseña y facilita los encuentros y cubre la logística.\n"
                "- **Organizaciones miembro:** envían al menos a una persona por encuentro y comparten su experiencia.\n"
                "- **Relatoría:** una persona voluntaria documenta cada encuentro."
            ),
            leadership=choices.LeadershipModel.FIXED, rotation_months=None, decision=choices.DecisionRule.CONSENSUS,
            rules=(
                "Lo que se comparte sobre casos concretos no sale de la comunidad. Escuchamos sin interrumpir "
                "y cuidamos que todas las organizaciones tengan la palabra."
            ),
            accountability="La convocante informa al inicio de cada encuentro qué se hizo con los acuerdos del anterior.",
            participation="Un encuentro presencial cada cuatro meses y una llamada mensual.",
            effort="Dos días cada cuatro meses y una hora al mes",
        ),
        _Charter(
            adopted=_d(2019, 11, 14),
            adopted_how="consentimiento en el encuentro de Hermosillo",
            roles=(
                "- **Coordinación rotativa:** una organización miembro coordina la comunidad durante seis meses.\n"
                "- **Relatoría rotativa:** cambia en cada encuentro; quien relata reporta a su equipo.\n"
                "- **Convocante:** acompaña y cede la facilitación de manera progresiva.\n"
                "- **Aliadas:** aportan conocimiento externo cuando la comunidad lo pide."
            ),
            leadership=choices.LeadershipModel.ROTATING, rotation_months=6, decision=choices.DecisionRule.CONSENT,
            rules=(
                "Lo compartido sobre casos es confidencial. Toda propuesta se adopta si nadie tiene una objeción "
                "razonada. Las organizaciones de apoyo intermedio no coordinan dos periodos seguidos."
            ),
            accountability=(
                "Cada coordinación entrega al final de su periodo un informe breve de acuerdos cumplidos y pendientes."
            ),
            participation=(
                "Cada organización envía a distintas personas (dirección, coordinación, personal joven de campo) "
                "y quien asiste comparte lo aprendido con su equipo."
            ),
            effort="Dos días por encuentro, tres encuentros al año y una llamada mensual",
        ),
    ),
    peer_groups=(
        _PeerGroup("Direcciones", choices.PeerGroupBasis.ROLE,
                   "Directoras y directores: estrategia, financiamiento y relación con autoridades.",
                   ("hector.ruelas", "patricia.lugo", "veronica.salgado", "alejandra.rios", "fernando.valenzuela",
                    "mauricio.tellez", "dolores.buitimea", "jorgeluis.acuna", "gabriela.sanchez"), _d(2019, 11, 14)),
        _PeerGroup("Coordinaciones", choices.PeerGroupBasis.ROLE,
                   "Quienes coordinan programas y equipos: metodologías y seguimiento.",
                   ("itzel.carrillo", "rodrigo.pineda", "lucia.mendez", "claudia.morales", "raul.ortega",
                    "luisenrique.castaneda"), _d(2019, 11, 14)),
        _PeerGroup("Personal joven de campo", choices.PeerGroupBasis.ROLE,
                   "Personal joven que trabaja en campo: toma la estafeta y aporta nuevas miradas.",
                   ("brandon.osuna", "emiliano.cecena", "diego.hernandez", "sofia.durazo", "ximena.aguilar",
                    "anakaren.moroyoqui"), _d(2019, 11, 14)),
        _PeerGroup("Mediación para la resolución de conflictos", choices.PeerGroupBasis.THEME,
                   "Cuatro OSC que integran sus metodologías de mediación con jóvenes y grupos vulnerables.",
                   ("hector.ruelas", "patricia.lugo", "emiliano.cecena", "lucia.mendez", "dolores.buitimea"),
                   _d(2019, 3, 21)),
        _PeerGroup("Tecnología para el cambio social", choices.PeerGroupBasis.THEME,
                   "Programas que usan aplicaciones y sitios web para prevenir la violencia.",
                   ("mauricio.tellez", "ximena.aguilar", "diego.hernandez", "itzel.carrillo"), _d(2019, 3, 21)),
    ),
    role_changes=(
        (_d(2019, 11, 14), "veronica.salgado", Role.STEWARD),
        (_d(2020, 5, 14), "hector.ruelas", Role.STEWARD),
        (_d(2020, 5, 14), "veronica.salgado", Role.MEMBER),
    ),
    member_led_on=_d(2020, 6, 1),
)


# --- Group 2: 14 partner CSOs, Tijuana and Mexico City, 2019-2020 ------------------

GROUP_2 = _Community(
    key="group2",
    slug="socias",
    name="Comunidad de Organizaciones Socias",
    purpose=(
        "Catorce organizaciones socias (diez socias del programa y cuatro con apoyo de monto fijo) que "
        "defienden los derechos humanos y trabajan por un sistema de justicia penal más justo. "
        "Compartimos datos sobre temas sensibles, comparamos cifras y construimos argumentos comunes."
    ),
    languages=("es",),
    stage=choices.Stage.IDEATION,
    privacy=choices.Privacy.PUBLIC,
    founded=_d(2019, 6, 19),
    organizations=(
        _Org("cme", "Casa del Migrante Esperanza, A.C.", Kind.CSO, "BCN", "Tijuana",
             (Theme.MIGRATION, Theme.HUMAN_RIGHTS), (Group.MIGRANTS, Group.WOMEN), "21-50", 1998,
             "Albergue y defensa de los derechos de personas migrantes y deportadas.",
             "Atención humanitaria; datos de personas atendidas.", "Asesoría jurídica gratuita.", "Nivel 1"),
        _Org("ijd", "Instituto de Justicia y Derechos Humanos, A.C.", Kind.CSO, "CMX", "Cuauhtémoc",
             (Theme.CRIMINAL_JUSTICE, Theme.HUMAN_RIGHTS), (), "21-50", 2002,
             "Investigación y litigio estratégico sobre el sistema de justicia penal.",
             "Análisis jurídico; litigio estratégico.", "Datos estatales comparables.", "Nivel 1"),
        _Org("cdh", "Centro de Derechos Humanos Tierra Digna, A.C.", Kind.CSO, "GRO", "Chilpancingo de los Bravo",
             (Theme.HUMAN_RIGHTS,), (Group.INDIGENOUS, Group.RURAL), "6-20", 1999,
             "Defensa de derechos humanos en comunidades indígenas de la Montaña y el Centro de Guerrero.",
             "Documentación de casos.", "Protección y seguridad digital para defensoras.", "Nivel 1"),
        _Org("dap", "Datos Abiertos por la Justicia, A.C.", Kind.CSO, "CMX", "Miguel Hidalgo",
             (Theme.TRANSPARENCY, Theme.TECHNOLOGY, Theme.CRIMINAL_JUSTICE), (), "1-5", 2015,
             "Solicitudes de información y bases de datos abiertas sobre seguridad y justicia.",
             "Limpieza y análisis de datos; visualizaciones.", "Organizaciones que aporten datos locales.", "Nivel 1"),
        _Org("fcs", "Fundación Camino Seguro, A.C.", Kind.CSO, "CHH", "Juárez",
             (Theme.VIOLENCE_PREVENTION,), (Group.YOUTH,), "21-50", 2008,
             "Prevención de la violencia con jóvenes en Ciudad Juárez.",
             "Programas deportivos y culturales de prevención.", "Evaluación de impacto.", "Nivel 1"),
        _Org("cvl", "Colectiva Voces Libres, A.C.", Kind.CSO, "JAL", "Guadalajara",
             (Theme.GENDER, Theme.HUMAN_RIGHTS), (Group.WOMEN, Group.LGBTQI), "1-5", 2017,
             "Defensa de los derechos de mujeres y personas LGBTQI+ en Jalisco.",
             "Acompañamiento psicosocial.", "Alianzas con otras defensoras.", "Nivel 1"),
        _Org("aom", "Asociación Oaxaqueña de Mediadores Comunitarios", Kind.CSO, "OAX", "Oaxaca de Juárez",
             (Theme.MEDIATION, Theme.PEACEBUILDING), (Group.INDIGENOUS,), "6-20", 2006,
             "Mediación intercultural de conflictos agrarios y comunitarios.",
             "Mediación con pertinencia cultural.", "Intercambio con mediadores de otros estados.", "Nivel 1"),
        _Org("cav", "Centro de Atención a Víctimas Nuevo Amanecer, A.C.", Kind.CSO, "NLE", "Monterrey",
             (Theme.CRIMINAL_JUSTICE, Theme.HUMAN_RIGHTS), (Group.WOMEN,), "6-20", 2011,
             "Atención integral a víctimas del delito.", "Acompañamiento a víctimas en el proceso penal.",
             "Datos sobre atención a víctimas en otros estados.", "Nivel 1"),
        _Org("icr", "Iniciativa Ciudadana por la Reinserción, A.C.", Kind.CSO, "CMX", "Iztapalapa",
             (Theme.CRIMINAL_JUSTICE, Theme.VIOLENCE_PREVENTION), (Group.YOUTH,), "6-20", 2013,
             "Reinserción social de jóvenes que salen de centros de internamiento.",
             "Mentoría y empleo.", "Vinculación con empresas.", "Nivel 1"),
        _Org("npb", "Niñez Primero Baja California, A.C.", Kind.CSO, "BCN", "Ensenada",
             (Theme.CHILDREN_RIGHTS,), (Group.YOUTH, Group.MIGRANTS), "6-20", 2009,
             "Protección de niñas, niños y adolescentes, incluidos los no acompañados.",
             "Espacios amigables para la niñez.", "Capacitación en protocolos de protección.", "Nivel 1"),
        _Org("cev", "Colectivo Comunitario La Esperanza del Valle, A.C.", Kind.CSO, "MEX", "Valle de Chalco Solidaridad",
             (Theme.VIOLENCE_PREVENTION,), (Group.YOUTH, Group.WOMEN), "1-5", 2016,
             "Colectivo vecinal de prevención de la violencia.", "Presencia territorial.", "Constitución legal.", "Nivel 2"),
        _Org("rjp", "Red de Jóvenes Promotores de Paz de Chiapas", Kind.CSO, "CHP", "San Cristóbal de las Casas",
             (Theme.PEACEBUILDING, Theme.EDUCATION), (Group.YOUTH, Group.INDIGENOUS), "1-5", 2018,
             "Jóvenes tsotsiles y tseltales que promueven la cultura de paz.",
             "Facilitación en lenguas originarias.", "Fortalecimiento institucional.", "Nivel 2"),
        _Org("mac", "Mujeres Afromexicanas de la Costa Chica, A.C.", Kind.CSO, "OAX", "Santiago Pinotepa Nacional",
             (Theme.HUMAN_RIGHTS, Theme.GENDER), (Group.AFRO, Group.WOMEN), "1-5", 2014,
             "Reconocimiento y derechos de las mujeres afromexicanas.", "Investigación comunitaria.",
             "Visibilidad en redes nacionales.", "Nivel 2"),
        _Org("fip", "Fundación Inclusión Plena, A.C.", Kind.CSO, "PUE", "Puebla",
             (Theme.HUMAN_RIGHTS,), (Group.DISABILITY,), "6-20", 2010,
             "Acceso a la justicia de personas con discapacidad.", "Ajustes razonables en procesos judiciales.",
             "Datos desagregados por discapacidad.", "Nivel 2"),
        _Org("fhc", "Fundación Horizonte Común", Kind.DONOR, "CMX", "Miguel Hidalgo",
             (Theme.HUMAN_RIGHTS, Theme.CAPACITY), (), "6-20", 1995,
             "Fundación donante (ficticia) que financia fortalecimiento de la sociedad civil.",
             "Financiamiento flexible multianual.", "Aprender qué sostiene a una comunidad de aprendizaje."),
        BORDERLANDS_LAB,
    ),
    people=(
        _Person("josefina.carrasco", "Josefina Carrasco Díaz", "cme", "Directora", Level.LEADERSHIP, Role.MEMBER,
                Gender.WOMAN, Age.OVER_60),
        _Person("kevin.andrade", "Kevin Andrade Flores", "cme", "Voluntario", Level.VOLUNTEER,
                gender=Gender.MAN, age=Age.UNDER_25),
        _Person("elena.marquez", "Elena Márquez Villalobos", "ijd", "Directora", Level.LEADERSHIP, Role.STEWARD,
                Gender.WOMAN, Age.FROM_45, ("es", "en")),
        _Person("arturo.banuelos", "Arturo Bañuelos Quiroz", "ijd", "Investigador", Level.COORDINATION,
                gender=Gender.MAN, age=Age.FROM_35),
        _Person("margarita.nava", "Margarita Nava Abarca", "cdh", "Coordinadora", Level.COORDINATION, Role.MEMBER,
                Gender.WOMAN, Age.FROM_35),
        _Person("oscar.lemus", "Óscar Lemus Trejo", "dap", "Director", Level.LEADERSHIP, Role.MEMBER,
                Gender.MAN, Age.FROM_35),
        _Person("valeria.chavez", "Valeria Chávez Ugalde", "dap", "Científica de datos", Level.FIELD,
                gender=Gender.WOMAN, age=Age.FROM_25),
        _Person("ricardo.holguin", "Ricardo Holguín Terrazas", "fcs", "Director", Level.LEADERSHIP, Role.MEMBER,
                Gender.MAN, Age.FROM_45),
        _Person("fernanda.orozco", "Fernanda Orozco Gil", "cvl", "Coordinadora", Level.COORDINATION, Role.MEMBER,
                Gender.WOMAN, Age.FROM_25),
        _Person("alex.gutierrez", "Alex Gutiérrez Sáenz", "cvl", "Acompañante psicosocial", Level.FIELD,
                gender=Gender.NON_BINARY, age=Age.UNDER_25),
        _Person("eusebio.martinez", "Eusebio Martínez López", "aom", "Presidente", Level.LEADERSHIP, Role.MEMBER,
                Gender.MAN, Age.OVER_60),
        _Person("silvia.garza", "Silvia Garza Cantú", "cav", "Directora", Level.LEADERSHIP, Role.MEMBER,
                Gender.WOMAN, Age.FROM_45),
        _Person("marcoantonio.reyes", "Marco Antonio Reyes Lira", "icr", "Coordinador", Level.COORDINATION,
                gender=Gender.MAN, age=Age.FROM_35),
        _Person("daniela.meza", "Daniela Meza Castro", "npb", "Directora", Level.LEADERSHIP,
                gender=Gender.WOMAN, age=Age.FROM_35),
        _Person("juana.hernandez", "Juana Hernández Cruz", "cev", "Coordinadora", Level.COORDINATION, Role.MEMBER,
                Gender.WOMAN, Age.FROM_45, joined=_d(2019, 10, 10)),
        _Person("pascual.gomez", "Pascual Gómez Díaz", "rjp", "Promotor de paz", Level.FIELD, Role.MEMBER,
                Gender.MAN, Age.UNDER_25, joined=_d(2019, 10, 10)),
        _Person("rosamaria.banos", "Rosa María Baños Noyola", "mac", "Presidenta", Level.LEADERSHIP,
                gender=Gender.WOMAN, age=Age.FROM_45),
        _Person("mateo.cuautle", "Mateo Cuautle Sánchez", "fip", "Director", Level.LEADERSHIP,
                gender=Gender.MAN, age=Age.FROM_35),
        _Person("anapaula.quintero", "Ana Paula Quintero Lara", "fhc", "Oficial de programas", Level.COORDINATION,
                Role.OBSERVER, Gender.WOMAN, Age.FROM_35, ("es", "en"),
                "Acompaña a la comunidad como observadora en nombre de la fundación donante."),
        _Person("rebecca.thornton", "Rebecca Thornton", "bprl", "Research director", Level.LEADERSHIP, Role.ALLY,
                Gender.WOMAN, Age.FROM_45, ("en", "es"), REBECCA_BIO, joined=_d(2020, 1, 23)),
    ),
    goals=(
        _Goal(Horizon.SHORT, "Compartir y comparar datos sobre el sistema de justicia penal",
              "Identificar inconsistencias entre cifras nacionales y estatales con los datos que cada OSC ya tiene.",
              _d(2019, 6, 20)),
        _Goal(Horizon.SHORT, "Conocer los retos comunes en la defensa de derechos humanos",
              "Aunque nuestras agendas son distintas, construir un entendimiento compartido de los retos.",
              _d(2019, 6, 20), achieved=_d(2020, 1, 23)),
        _Goal(Horizon.MEDIUM, "Abrir un foro en línea para colaborar entre encuentros",
              "Canales virtuales para sostener y ampliar la participación.", _d(2019, 10, 10)),
        _Goal(Horizon.MEDIUM, "Encuesta nacional conjunta de percepción de justicia",
              "Se descartó por falta de recursos; los datos existentes bastan por ahora.",
              _d(2019, 6, 20), dropped=_d(2020, 1, 23)),
        _Goal(Horizon.LONG, "Argumentos comunes basados en datos para reformar la justicia penal",
              "Presentar propuestas conjuntas a autoridades con datos de las catorce organizaciones.",
              _d(2019, 6, 20)),
    ),
    charters=(
        _Charter(
            adopted=_d(2019, 6, 20),
            adopted_how="votación en el primer encuentro, Tijuana",
            roles=(
                "- **Convocante:** organiza los encuentros y cuida que todas las voces se escuchen.\n"
                "- **Enlace de la comunidad:** una directora elegida por las socias, interlocutora con la convocante.\n"
                "- **Socias:** comparten datos y experiencias; cada una nombra a una persona de enlace."
            ),
            leadership=choices.LeadershipModel.FIXED, rotation_months=None, decision=choices.DecisionRule.MAJORITY,
            rules="Los datos sensibles se comparten anonimizados y solo se publican con acuerdo de quien los aportó.",
            accountability="Minuta de cada encuentro con acuerdos, responsables y fechas.",
            participation="Tres encuentros al año en Tijuana o en la Ciudad de México y un foro en línea.",
            effort="Tres encuentros de un día al año",
            review_months=6,
        ),
    ),
    peer_groups=(
        _PeerGroup("Direcciones de las socias", choices.PeerGroupBasis.ROLE,
                   "Directoras y directores de las organizaciones socias.",
                   ("josefina.carrasco", "elena.marquez", "oscar.lemus", "ricardo.holguin", "eusebio.martinez",
                    "silvia.garza", "daniela.meza", "rosamaria.banos", "mateo.cuautle"), _d(2019, 10, 10)),
        _PeerGroup("Datos sobre el sistema de justicia penal", choices.PeerGroupBasis.THEME,
                   "Compartimos y comparamos datos sobre temas sensibles.",
                   ("elena.marquez", "arturo.banuelos", "oscar.lemus", "valeria.chavez", "silvia.garza",
                    "marcoantonio.reyes"), _d(2019, 10, 10)),
    ),
    convener_position="Coordinadora del programa",
    open_invitations=(
        (_d(2020, 1, 23), "daniela.meza", Role.MEMBER, False),
        (_d(2020, 1, 23), "mateo.cuautle", Role.MEMBER, False),
        (_d(2019, 10, 10), "marcoantonio.reyes", Role.STEWARD, True),
    ),
)


# --- Group 3: 8 local leaders back from a study tour, Sonora and Coahuila ---------

GROUP_3 = _Community(
    key="group3",
    slug="gira-colombia",
    name="Líderes de la Gira de Estudio a Colombia",
    purpose=(
        "Ocho líderes locales de **Sonora y Coahuila** que viajaron a Colombia en octubre de 2019 para "
        "aprender de la experiencia colombiana de construcción de paz. De regreso, estructuramos dos "
        "proyectos de prevención de la violencia con impacto sistémico: uno en Sonora y otro en Coahuila."
    ),
    languages=("es",),
    stage=choices.Stage.ACTION,
    # Some members defend human rights where that is dangerous: the community is not listed.
    privacy=choices.Privacy.HIDDEN,
    founded=_d(2019, 11, 26),
    organizations=(
        _Org("rsm", "Refugio Sonorense para Mujeres, A.C.", Kind.CSO, "SON", "Hermosillo",
             (Theme.GENDER, Theme.VIOLENCE_PREVENTION), (Group.WOMEN,), "6-20", 2003,
             "Refugio y atención a mujeres que viven violencia.", "Protocolos de atención.",
             "Alianzas con el sector privado."),
        _Org("imm", "Instituto Municipal de las Mujeres de Cajeme", Kind.GOVERNMENT, "SON", "Cajeme",
             (Theme.GENDER,), (Group.WOMEN,), "6-20", 2008,
             "Instancia municipal para la igualdad de género.", "Información pública sobre violencia de género.",
             "Metodologías de la sociedad civil."),
        _Org("cen", "Consejo Empresarial de Nogales", Kind.PRIVATE, "SON", "Nogales",
             (Theme.VIOLENCE_PREVENTION,), (), "1-5", 1992,
             "Organismo empresarial de la frontera de Sonora.", "Vinculación con empresas maquiladoras.",
             "Proyectos de prevención en los que participar."),
        _Org("che", "Colectivo Huellas de Esperanza", Kind.COMMUNITY_GROUP, "SON", "Guaymas",
             (Theme.HUMAN_RIGHTS,), (Group.WOMEN,), "1-5", 2017,
             "Colectivo de familias que acompaña a mujeres en situación de riesgo.", "Experiencia directa.",
             "Protección y seguridad."),
        _Org("upv", "Unidad de Prevención Social de la Violencia de Saltillo", Kind.GOVERNMENT, "COA", "Saltillo",
             (Theme.VIOLENCE_PREVENTION, Theme.CRIMINAL_JUSTICE), (), "6-20", 2013,
             "Unidad municipal de prevención social de la violencia y la delincuencia.",
             "Información para focalizar la prevención.", "Información que produce la sociedad civil."),
        _Org("sep", "Saltillo en Paz, A.C.", Kind.CSO, "COA", "Saltillo",
             (Theme.PEACEBUILDING, Theme.VIOLENCE_PREVENTION), (Group.YOUTH,), "6-20", 2012,
             "Construcción de paz y cultura de la legalidad en Saltillo.", "Facilitación de diálogo.",
             "Alianzas con instituciones públicas."),
        _Org("cue", "Centro Universitario de Estudios sobre Violencia de La Laguna", Kind.ACADEMIA, "COA", "Torreón",
             (Theme.PEACEBUILDING, Theme.VIOLENCE_PREVENTION), (), "6-20", 2010,
             "Centro académico (ficticio) de investigación sobre violencia en la región lagunera.",
             "Diagnósticos y evaluación.", "Datos de campo."),
        _Org("ccm", "Casa de Cultura Comunitaria de Monclova", Kind.COMMUNITY_GROUP, "COA", "Monclova",
             (Theme.PEACEBUILDING, Theme.EDUCATION), (Group.YOUTH,), "1-5", 2015,
             "Espacio comunitario de arte y cultura para jóvenes.", "Talleres culturales.", "Financiamiento."),
    ),
    people=(
        _Person("guadalupe.encinas", "Guadalupe Encinas Robles", "rsm", "Directora", Level.LEADERSHIP, Role.MEMBER,
                Gender.WOMAN, Age.FROM_45),
        _Person("karla.yocupicio", "Karla Yocupicio Valenzuela", "imm", "Coordinadora de prevención", Level.COORDINATION,
                Role.MEMBER, Gender.WOMAN, Age.FROM_35),
        _Person("andres.felix", "Andrés Félix Moreno", "cen", "Presidente", Level.LEADERSHIP, Role.MEMBER,
                Gender.MAN, Age.FROM_45),
        _Person("tonalli", "Tonalli", "che", "Vocera", Level.VOLUNTEER, Role.MEMBER, pseudonym=True,
                bio="Usa un seudónimo por su seguridad."),
        _Person("rosaelena.garza", "Rosa Elena Garza Treviño", "upv", "Titular de la unidad", Level.LEADERSHIP, Role.MEMBER,
                Gender.WOMAN, Age.FROM_45),
        _Person("javier.alvarado", "Javier Alvarado Siller", "sep", "Director", Level.LEADERSHIP, Role.MEMBER,
                Gender.MAN, Age.FROM_35),
        _Person("monica.ramos", "Mónica Ramos de la Fuente", "cue", "Investigadora", Level.COORDINATION, Role.MEMBER,
                Gender.WOMAN, Age.FROM_35),
        _Person("tomas.ibarra", "Tomás Ibarra Cepeda", "ccm", "Coordinador", Level.COORDINATION, Role.MEMBER,
                Gender.MAN, Age.FROM_25),
    ),
    goals=(
        _Goal(Horizon.SHORT, "Estructurar dos proyectos con impacto sistémico",
              "Un proyecto en Sonora y otro en Coahuila, diseñados con el enfoque de sistemas locales.",
              _d(2019, 11, 28), achieved=_d(2020, 6, 18)),
        _Goal(Horizon.MEDIUM, "Alianza con el gobierno local para compartir información",
              "Intercambiar información y buenas prácticas de prevención de la violencia con autoridades.",
              _d(2019, 11, 28)),
        _Goal(Horizon.MEDIUM, "Socializar cómo afecta la violencia a las mujeres en Sonora",
              "Involucrar a los sectores público y privado del sistema local en la prevención.",
              _d(2019, 11, 28)),
        _Goal(Horizon.LONG, "Construir paz en Coahuila con alianzas público-sociales",
              "Alianzas entre instituciones públicas y sociedad civil inspiradas en la experiencia colombiana.",
              _d(2019, 11, 28)),
    ),
    charters=(
        _Charter(
            adopted=_d(2019, 11, 28),
            adopted_how="consenso en la primera reunión a distancia",
            roles=(
                "- **Coordinación rotativa:** cambia cada tres meses entre las personas miembro.\n"
                "- **Equipos de proyecto:** Sonora y Coahuila se organizan por separado y se reportan mutuamente.\n"
                "- **Convocante:** acompaña el diseño con el enfoque de sistemas locales."
            ),
            leadership=choices.LeadershipModel.ROTATING, rotation_months=3, decision=choices.DecisionRule.CONSENSUS,
            rules="Nadie comparte nombres ni datos de personas en riesgo fuera de la comunidad.",
            accountability="Cada equipo presenta avances en la reunión mensual.",
            participation="Una reunión mensual a distancia y encuentros presenciales cuando sea seguro.",
            effort="Cuatro horas al mes",
        ),
    ),
    peer_groups=(
        _PeerGroup("Proyecto Sonora: prevención de la violencia contra las mujeres", choices.PeerGroupBasis.THEME,
                   "Tres integrantes que consolidan un grupo de prevención de la violencia contra las mujeres.",
                   ("guadalupe.encinas", "karla.yocupicio", "tonalli"), _d(2019, 11, 28)),
        _PeerGroup("Proyecto Coahuila: construcción de paz", choices.PeerGroupBasis.THEME,
                   "Cuatro integrantes que construyen alianzas entre instituciones públicas y sociedad civil.",
                   ("rosaelena.garza", "javier.alvarado", "monica.ramos", "tomas.ibarra"), _d(2019, 11, 28)),
    ),
    role_changes=(
        (_d(2019, 11, 28), "guadalupe.encinas", Role.STEWARD),
        (_d(2020, 3, 1), "javier.alvarado", Role.STEWARD),
        (_d(2020, 3, 1), "guadalupe.encinas", Role.MEMBER),
    ),
)

COMMUNITIES = (GROUP_1, GROUP_2, GROUP_3)
DEMO_SLUGS = tuple(spec.slug for spec in COMMUNITIES)


# --- what the load returns, and what capability hooks receive -------------------

@dataclass
class DemoData:
    """The demo as loaded, for capability ``demo_seed(demo=...)`` hooks.

    ``communities``: "group1", "group2", "group3". ``users``: by person key (e.g.
    "hector.ruelas") plus "admin". ``people`` and ``organizations``: per community key,
    by the keys used in this module. ``events``: for each community, the days and places
    of the convenings the story tells of, for apps that record them.
    """

    communities: dict[str, Community] = field(default_factory=dict)
    users: dict[str, object] = field(default_factory=dict)
    people: dict[str, dict[str, Person]] = field(default_factory=dict)
    organizations: dict[str, dict[str, Organization]] = field(default_factory=dict)
    events: dict[str, list[tuple[date, str]]] = field(default_factory=dict)
    # ``with demo.dated(day): ...`` re-dates the core rows (audit events, ...) written inside.
    dated: Callable[[date], object] | None = None


EVENTS = {
    "group1": [(_d(2018, 10, 17), "Tijuana"), (_d(2019, 3, 21), "Ciudad de México"), (_d(2019, 11, 14), "Hermosillo"),
               (_d(2020, 1, 30), "Tijuana"), (_d(2020, 3, 5), "Ciudad de México")],
    "group2": [(_d(2019, 6, 19), "Tijuana"), (_d(2019, 10, 10), "Ciudad de México"), (_d(2020, 1, 23), "Ciudad de México")],
    "group3": [(_d(2019, 11, 26), "Hermosillo"), (_d(2020, 1, 16), "Saltillo"), (_d(2020, 3, 1), "Hermosillo"),
               (_d(2020, 6, 18), "Saltillo")],
}


@dataclass(frozen=True)
class DemoAccount:
    role: str  # a community role, or "admin" for the platform administrator
    name: str
    email: str
    communities: tuple[str, ...]


# --- loading -------------------------------------------------------------------------

def email_for(key: str) -> str:
    return f"{key}@{DEMO_DOMAIN}"


def demo_is_loaded() -> bool:
    """True when the demo communities are in the database (the load is all or nothing)."""
    return Community.objects.filter(slug__in=DEMO_SLUGS).exists()


def _moment(day: date) -> datetime:
    return datetime.combine(day, time(10, 0), tzinfo=LOCAL_TZ)


# Rows the services stamp with the wall clock, and the fields to re-date.
_STAMPED = {
    Community: ("created_at", "updated_at"),
    Organization: ("created_at", "updated_at"),
    Person: ("created_at", "updated_at"),
    Affiliation: ("created_at",),
    Membership: ("joined_at",),
    Goal: ("created_at", "updated_at"),
    Charter: ("created_at",),
    PeerGroup: ("created_at",),
    AuditEvent: ("created_at",),
    Invitation: ("created_at", "accepted_at", "revoked_at"),
}


@contextmanager
def _dated(day: date) -> Iterator[None]:
    """Re-date to ``day`` every row written or changed inside the block.

    The story's dates are all in the past, so a timestamp at or after the block's
    start can only come from the block itself.
    """
    started = timezone.now()
    yield
    moment = _moment(day)
    Invitation.objects.filter(created_at__gte=started).update(expires_at=moment + timedelta(days=services.INVITATION_DAYS))
    for model, names in _STAMPED.items():
        for name in names:
            model.objects.filter(**{f"{name}__gte": started}).update(**{name: moment})


class _Loader:
    def __init__(self) -> None:
        self.data = DemoData(events={key: list(value) for key, value in EVENTS.items()}, dated=_dated)
        # One hash for every demo account: hashing is deliberately slow, and these share a password.
        self.password_hash = make_password(DEMO_PASSWORD)

    def user(self, spec: _Person, joined: date):
        if spec.key in self.data.users:
            return self.data.users[spec.key]
        given, _space, family = spec.name.partition(" ")
        user = _create_user(email_for(spec.key), self.password_hash, joined, first_name=given, last_name=family)
        self.data.users[spec.key] = user
        return user

    def load(self) -> DemoData:
        convener = self.user(CONVENER, GROUP_1.founded)
        admin = _create_user(email_for(ADMIN_KEY), self.password_hash, GROUP_1.founded,
                             first_name="Administración", last_name="de la plataforma")
        admin.is_staff = admin.is_superuser = True
        admin.save(update_fields=["is_staff", "is_superuser"])
        self.data.users["admin"] = admin
        steps: list[tuple[date, int, Callable[[], None]]] = []
        for spec in COMMUNITIES:
            steps.extend(self.community_steps(spec, convener))
        # Chronological across communities, so the audit log reads as the story happened.
        for day, _order, step in sorted(steps, key=lambda item: (item[0], item[1])):
            with _dated(day):
                step()
        return self.data

    def community_steps(self, spec: _Community, convener) -> list[tuple[date, int, Callable[[], None]]]:
        """The community's story as dated steps, each one or a few service calls."""
        data = self.data
        people: dict[str, Person] = {}
        organizations: dict[str, Organization] = {}
        goals: dict[str, Goal] = {}
        data.people[spec.key] = people
        data.organizations[spec.key] = organizations

        def community() -> Community:
            return data.communities[spec.key]

        def found() -> None:
            data.communities[spec.key] = services.community_create(
                actor=convener, name=spec.name, slug=spec.slug, purpose=spec.purpose, languages=list(spec.languages),
                stage=spec.stage, privacy=spec.privacy, convener_organization_name=CONVENER_ORGANIZATION,
            )
            convener_org = Organization.objects.get(pk=community().convener_organization_id)
            services.organization_update(
                actor=convener, organization=convener_org, kind=choices.OrganizationKind.DONOR, state="CMX",
                municipality="Cuauhtémoc", thematic_areas=[Theme.CAPACITY, Theme.PEACEBUILDING],
                description=CONVENER_ORG_DESCRIPTION, website="https://raices-civicas.example.org",
                offers="Convocatoria, facilitación y acompañamiento metodológico.",
                seeks="Que las comunidades de aprendizaje sigan sin su acompañamiento.",
            )
            organizations["convener"] = convener_org
            me = Person.objects.get(community=community(), user=convener)
            services.person_update(actor=convener, person=me, bio=CONVENER.bio, languages=list(CONVENER.languages),
                                   gender=CONVENER.gender, age_band=CONVENER.age, email=email_for(CONVENER.key))
            services.affiliation_set(actor=convener, person=me, organization=convener_org,
                                     position=spec.convener_position, staff_level=CONVENER.level)
            people[CONVENER.key] = me
            for org in spec.organizations:
                organizations[org.key] = services.organization_create(
                    actor=convener, community=community(), name=org.name, kind=org.kind, country=org.country,
                    state=org.state, municipality=org.municipality, thematic_areas=list(org.themes),
                    excluded_groups=list(org.groups), size=org.size, founding_year=org.founded,
                    description=org.description, offers=org.offers, seeks=org.seeks, tier=org.tier,
                    website=org.website,
                )
            for person in spec.people:
                if person.joined is None:
                    arrive(person)

        def arrive(person: _Person) -> None:
            """Enter the registry and, with a role, join by accepting an invitation."""
            people[person.key] = services.person_create(
                actor=convener, community=community(), display_name=person.name, is_pseudonym=person.pseudonym,
                languages=list(person.languages), bio=person.bio, age_band=person.age, gender=person.gender,
                email=email_for(person.key) if person.role else "", phone=person.phone,
                affiliations=[{"organization": organizations[person.organization], "position": person.position,
                               "staff_level": person.level}],
            )
            if person.role:
                user = self.user(person, person.joined or spec.founded)
                _invitation, token = services.invitation_create(
                    actor=convener, community=community(), email=user.email, role=person.role,
                    organization=organizations[person.organization],
                )
                services.invitation_accept(user=user, token=token)

        def add_goal(goal: _Goal) -> None:
            goals[goal.title] = services.goal_create(
                actor=convener, community=community(), title=goal.title, description=goal.description,
                horizon=goal.horizon,
            )

        def set_goal_status(goal: _Goal, status: str) -> None:
            # Fresh from the database: the object in memory still has the wall-clock dates.
            services.goal_update(actor=convener, goal=Goal.objects.get(pk=goals[goal.title].pk), status=status)

        def adopt(charter: _Charter) -> None:
            services.charter_adopt(
                actor=convener, community=community(), roles_responsibilities=charter.roles,
                leadership_model=charter.leadership, rotation_period_months=charter.rotation_months,
                decision_rule=charter.decision, rules_of_engagement=charter.rules,
                accountability=charter.accountability, participation_scheme=charter.participation,
                expected_effort=charter.effort, adopted_on=charter.adopted, adopted_how=charter.adopted_how,
                review_period_months=charter.review_months,
            )

        def create_peer_group(group: _PeerGroup) -> None:
            services.peer_group_create(
                actor=convener, community=community(), name=group.name, basis=group.basis,
                description=group.description, members=[people[key] for key in group.members],
            )

        def change_role(key: str, role: str) -> None:
            membership = Membership.objects.active().get(community=community(), user=data.users[key])
            services.membership_change_role(actor=convener, membership=membership, role=role)

        def invite(key: str, role: str, revoked: bool) -> None:
            person = next(person for person in spec.people if person.key == key)
            invitation, _token = services.invitation_create(
                actor=convener, community=community(), email=email_for(key), role=role,
                organization=organizations[person.organization],
            )
            if revoked:
                services.invitation_revoke(actor=convener, invitation=invitation)

        def declare_member_led() -> None:
            services.community_update(actor=convener, community=community(), member_led=True)

        steps: list[tuple[date, int, Callable[[], None]]] = []

        def at(day: date, step: Callable[[], None]) -> None:
            steps.append((day, len(steps), step))

        at(spec.founded, found)
        for person in spec.people:
            if person.joined:
                at(person.joined, lambda person=person: arrive(person))
        for goal in spec.goals:
            at(goal.created, lambda goal=goal: add_goal(goal))
            if goal.achieved:
                at(goal.achieved, lambda goal=goal: set_goal_status(goal, choices.GoalStatus.ACHIEVED))
            if goal.dropped:
                at(goal.dropped, lambda goal=goal: set_goal_status(goal, choices.GoalStatus.DROPPED))
        for charter in spec.charters:
            at(charter.adopted, lambda charter=charter: adopt(charter))
        for group in spec.peer_groups:
            at(group.created, lambda group=group: create_peer_group(group))
        for day, key, role in spec.role_changes:
            at(day, lambda key=key, role=role: change_role(key, role))
        for day, key, role, revoked in spec.open_invitations:
            at(day, lambda key=key, role=role, revoked=revoked: invite(key, role, revoked))
        if spec.member_led_on:
            at(spec.member_led_on, declare_member_led)
        return steps


def _create_user(email: str, password_hash: str, joined: date, **names):
    """Demo accounts (no service creates accounts: allauth does, from a sign-up form)."""
    from allauth.account.models import EmailAddress

    user = get_user_model().objects.create(
        username=email, email=email, password=password_hash, date_joined=_moment(joined), **names
    )
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def demo_load() -> DemoData | None:
    """Load the demo unless it is there already (then ``None``). All or nothing.

    Capability apps' ``demo_seed(demo=...)`` hooks run in the same transaction.
    """
    if demo_is_loaded():
        return None
    # Invitation mail would flood the console that prints the sign-in accounts.
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"), transaction.atomic():
        data = _Loader().load()
        for capability in registry.capabilities():
            if capability.demo_seed:
                capability.demo_seed(demo=data)
    return data


def demo_accounts() -> list[DemoAccount]:
    """One sign-in account per role, as printed by ``tequio demo``."""
    User = get_user_model()
    accounts = []
    for role, key in SHOWCASE:
        user = User.objects.get(email=email_for(key))
        names = tuple(
            Membership.objects.active().filter(user=user, community__slug__in=DEMO_SLUGS)
            .order_by("community__created_at").values_list("community__name", flat=True)
        )
        accounts.append(DemoAccount(role=str(role), name=user.get_full_name(), email=user.email, communities=names))
    admin = User.objects.get(email=email_for(ADMIN_KEY))
    accounts.append(DemoAccount(role="admin", name=admin.get_full_name(), email=admin.email, communities=()))
    return accounts
