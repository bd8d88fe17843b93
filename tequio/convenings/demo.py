"""Demo convenings for the three demo communities (Tijuana, Mexico City, Sonora, Coahuila, 2018-2020).

Called by core's demo (``demo_seed(demo=DemoData)``) in the same transaction. Every
write goes through this app's services, as a steward or member would make it; the
rows are then re-dated to the day of the convening, so the demo reads the same on any
machine and any day. One more convening per community is planned three weeks ahead of
today, with its agenda open, so that proposing and voting can be tried at once.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from tequio.core.choices import Role
from tequio.core.models import Affiliation, Community, Membership, Organization, PeerGroup, Person
from tequio.core.permissions import access_for

from . import selectors, services
from .models import (
    ActionItem,
    ActionStatus,
    AgendaItem,
    AgendaVote,
    Attendance,
    Connection,
    Mode,
    QuestionKind,
    Questionnaire,
    QuestionnaireStatus,
    Report,
    Response,
    RoleAssignment,
    RoleKind,
    SessionKind,
)

LOCAL_TZ = ZoneInfo("America/Mexico_City")

VENUES = {
    "Tijuana": "Centro Cultural Tijuana, sala de usos múltiples · Tijuana, Baja California",
    "Ciudad de México": "Casa de la Sociedad Civil, Col. Roma · Ciudad de México",
    "Hermosillo": "Museo Regional de Sonora, auditorio · Hermosillo, Sonora",
    "Saltillo": "Centro de las Artes, aula 3 · Saltillo, Coahuila",
}
ALONGSIDE = {
    ("group1", date(2019, 3, 21)): "Foro Nacional de Fortalecimiento de la Sociedad Civil",
    ("group2", date(2019, 10, 10)): "Encuentro Nacional de Justicia Penal",
}
TOPICS = {
    "group1": [
        ("Mediación entre pares con jóvenes en conflicto con la ley", "Comparar metodologías de JCP y del Centro de Mediación."),
        ("Cómo presentar evidencia de la mediación a las autoridades", "Qué datos convencen a un cabildo."),
        ("Seguridad digital para organizaciones", "Contraseñas, doble factor y cuidado de datos de víctimas."),
        ("Financiamiento diversificado después de la cooperación internacional", ""),
        ("Guías de derechos humanos para trabajar con policías municipales", ""),
        ("Tableros de datos abiertos sobre justicia penal", "Lo que aprendió el Observatorio."),
        ("Protocolos de atención a mujeres indígenas", "Traducción y facilitación en lengua yoreme."),
        ("Visita de campo a un proyecto de mediación escolar", "Organiza la organización anfitriona."),
        ("Relatoría rotativa: cómo compartir lo aprendido con el equipo", ""),
        ("Narrativas para comunicar el valor de la sociedad civil", "Frente al discurso que nos estigmatiza."),
        ("Peer mediation evidence from the US-Mexico border", "Literature the research lab can share."),
    ],
    "group2": [
        ("Comparar cifras de personas en prisión preventiva", "Cada socia trae sus datos."),
        ("Anonimizar datos sensibles antes de compartirlos", ""),
        ("Argumentos comunes para el monitoreo de fiscalías", ""),
        ("Atención psicosocial a familias de víctimas", ""),
        ("Reinserción social: qué funciona", ""),
        ("Cómo hablar con medios sin poner en riesgo a las fuentes", ""),
        ("Mediación comunitaria en Oaxaca y Chiapas", ""),
        ("Datos con perspectiva afromexicana", ""),
    ],
    "group3": [
        ("Lo que aprendimos en Colombia sobre alianzas público-sociales", ""),
        ("Diseño del proyecto Sonora: prevención de la violencia contra las mujeres", ""),
        ("Diseño del proyecto Coahuila: construcción de paz", ""),
        ("Mapa de actores del sistema local", "Quién decide, quién financia, quién falta."),
        ("Protocolos de seguridad para quienes defienden derechos", ""),
        ("Cómo involucrar al sector privado de la frontera", ""),
        ("Indicadores comunes para los dos proyectos", ""),
    ],
}
INSIGHTS = [
    "Las organizaciones descubrieron que tenían más en común de lo que pensaban: todas enfrentan la misma narrativa "
    "que desacredita a la sociedad civil, y pueden responderla juntas.",
    "La **mediación** funciona mejor cuando se acuerda antes con las autoridades qué casos se canalizan.",
    "Las personas jóvenes del equipo de campo aportaron la mirada más concreta sobre la participación de las "
    "comunidades: conviene que sigan tomando la estafeta.",
    "Compartir datos anonimizados permitió comparar cifras por primera vez entre estados.",
    "La visita de campo mostró cómo una organización construye alianzas estratégicas con el gobierno municipal.",
    "Trust grew when each organization presented its own failures, not only its successes.",
]
DECISIONS = [
    "La relatoría del próximo encuentro la toma una persona de una organización que aún no ha relatado.",
    "Integrar las guías de mediación en un solo documento de referencia.",
    "Invitar a la Unidad de Prevención municipal al siguiente encuentro.",
    "Programar el próximo encuentro junto a un evento al que ya asisten las socias.",
]
METHODOLOGIES = [
    "Círculos de diálogo; pecera (*fishbowl*) con autoridades invitadas.",
    "Indagación apreciativa para revisar qué funcionó en el proyecto piloto.",
    "Mapeo de actores con tarjetas de influencia y alineación.",
    "Open space: la agenda de la tarde la armaron las participantes.",
]
RESOURCES = [
    "Guía de derechos humanos para el trabajo con autoridades locales (DCJ).",
    "Directorio de contactos clave del sistema de justicia penal.",
    "Plantilla de consentimiento informado para compartir datos.",
    "Checklist of digital security practices (English and Spanish).",
]
AAR = {
    "expected": [
        "Esperábamos una alta participación de todas las organizaciones y acuerdos concretos sobre mediación.",
        "Esperábamos que la facilitación estuviera a cargo de las organizaciones miembro por primera vez.",
        "Esperábamos comparar datos de tres estados.",
    ],
    "happened": [
        "La participación fue amplia, pero dos organizaciones llegaron tarde por la distancia.",
        "La facilitación de una organización miembro generó una conversación más franca que en encuentros anteriores.",
        "Solo dos estados trajeron datos comparables.",
    ],
    "why_different": [
        "La convocatoria salió con poca anticipación y no consideró el calendario de las organizaciones del norte.",
        "Las personas se sintieron en un espacio seguro para hablar del contexto político.",
        "No habíamos acordado antes un formato común para los datos.",
    ],
    "keep": [
        "Mantener la agenda abierta por la tarde para conexiones inesperadas.",
        "Seguir rotando la facilitación y la relatoría entre organizaciones y niveles del personal.",
        "Programar los encuentros junto a eventos a los que ya asistimos.",
    ],
    "change": [
        "Enviar la convocatoria con un mes de anticipación y votar la agenda antes.",
        "Acordar un formato común de datos antes del encuentro.",
        "Mejorar la participación de quienes se conectan a distancia en los encuentros híbridos.",
    ],
}
ACTIONS = [
    "Enviar la relatoría a los equipos que no asistieron",
    "Integrar las guías de mediación en un documento",
    "Compartir la plantilla de datos anonimizados",
    "Contactar a la Unidad de Prevención municipal",
    "Preparar la visita de campo del próximo encuentro",
    "Traducir el estudio de caso al inglés",
]


@dataclass
class _Context:
    community: Community
    key: str
    steward: object  # a user with a managing role
    people: list[Person]
    member_orgs: list[Organization]
    users_by_person: dict[int, object]  # participants' accounts (they answer questionnaires)
    contributors: dict[int, object]  # members, stewards, conveners (they propose and vote)


def demo_seed(*, demo=None, **_ignored) -> None:
    """Convenings with agendas, rotating roles, attendance, reports, AARs and answered questionnaires."""
    if demo is None:
        return
    for key, events in sorted(demo.events.items()):
        community = demo.communities.get(key)
        if community is None:
            continue
        context = _context(community, key)
        rng = random.Random(f"convenings:{key}")  # noqa: S311 - a fixed seed makes the demo the same everywhere
        for number, (day, city) in enumerate(events, start=1):
            _past_convening(context, rng, number, day, city, last=number == len(events), dated=demo.dated)
        _upcoming_convening(context, rng)


def _context(community: Community, key: str) -> _Context:
    memberships = list(Membership.objects.active().filter(community=community).select_related("user").order_by("pk"))
    managers = [m for m in memberships if m.role == Role.STEWARD] or [m for m in memberships if m.role == Role.CONVENER]
    people = list(Person.objects.active().filter(community=community).order_by("pk"))
    orgs = list(Organization.objects.active().filter(community=community).exclude(pk=community.convener_organization_id).order_by("pk"))
    users = {m.person_id: m.user for m in memberships if m.person_id and m.role != Role.OBSERVER}
    contributors = {m.person_id: m.user for m in memberships if m.person_id and m.role in (Role.MEMBER, Role.STEWARD)}
    return _Context(community, key, managers[0].user, people, orgs, users, contributors)


def _moment(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=LOCAL_TZ)


def _member_user(context: _Context, organization: Organization):
    """A member account of the organization (to propose and vote as it would)."""
    person_ids = set(Affiliation.objects.filter(organization=organization).values_list("person_id", flat=True))
    for person_id, user in context.contributors.items():
        if person_id in person_ids:
            return user
    return None


def _agenda(context: _Context, rng: random.Random, convening, number: int, *, close: bool) -> list[AgendaItem]:
    topics = rng.sample(TOPICS[context.key], k=min(5, len(TOPICS[context.key])))
    convener = Membership.objects.active().filter(community=context.community, role=Role.CONVENER).first()
    items = []
    for index, (title, description) in enumerate(topics):
        # Early on the convener proposes most topics; members take over the agenda with time.
        by_convener = convener is not None and index < max(0, 3 - number)
        proposer = convener.user if by_convener else None
        if proposer is None:
            organization = context.member_orgs[(number + index) % len(context.member_orgs)]
            proposer = _member_user(context, organization) or context.steward
        items.append(services.agenda_item_propose(actor=proposer, convening=convening, title=title, description=description))
    budget = services.settings_for(context.community).votes_per_organization
    for organization in context.member_orgs:
        voter = _member_user(context, organization)
        if voter is None:
            continue
        for _vote in range(min(budget, rng.randint(1, 3))):
            services.agenda_vote(actor=voter, item=rng.choice(items), delta=1, organization=organization)
    if close:
        services.agenda_set_open(actor=context.steward, convening=convening, is_open=False)
    return items


def _sessions(context: _Context, convening, items: list[AgendaItem], day: date) -> None:
    joint = services.session_create(actor=context.steward, convening=convening, title="Plenaria de apertura",
                                    kind=SessionKind.JOINT, starts_at=_moment(day, 10), ends_at=_moment(day, 13))
    groups = list(PeerGroup.objects.active().filter(community=context.community, created_at__date__lte=day).order_by("pk")[:3])
    placements = {}
    ranked = [row.item for row in selectors.agenda_ranking(convening)]
    for index, group in enumerate(groups):
        session = services.session_create(actor=context.steward, convening=convening, title=f"Mesa paralela: {group.name}",
                                          kind=SessionKind.PARALLEL, peer_group=group, starts_at=_moment(day, 15),
                                          ends_at=_moment(day, 17))
        if index + 1 < len(ranked):
            placements[ranked[index + 1].pk] = session
    if ranked:
        placements = {ranked[0].pk: joint, **placements}
        services.agenda_schedule(actor=context.steward, convening=convening, placements=placements)


def _roles(context: _Context, convening, number: int) -> list[RoleAssignment]:
    access = access_for(context.steward, context.community)
    if number == 1:
        # The first convening: the convener facilitates, as the CSA guide tells it; members rotate afterwards.
        convener = Membership.objects.active().filter(community=context.community, role=Role.CONVENER).first()
        if convener and convener.person:
            services.role_assign(actor=context.steward, convening=convening, role=RoleKind.FACILITATOR, person=convener.person,
                                 reason="La convocante facilita el primer encuentro.")
    suggestions = selectors.role_suggestions(access, convening)
    choices = {s.role: (s.person, s.reason, True) for s in suggestions if s.person is not None and not s.fixed}
    return services.roles_confirm(actor=context.steward, convening=convening, choices=choices)


def _attendance(context: _Context, rng: random.Random, convening) -> list[Person]:
    roles = set(RoleAssignment.objects.filter(convening=convening).values_list("person_id", flat=True))
    came = [person for person in context.people if person.pk in roles or rng.random() < 0.7]
    for person in came:
        services.attendance_record(actor=context.steward, convening=convening, person=person)
    return came


def _report(context: _Context, rng: random.Random, convening, day: date, people: list[Person], *, last: bool) -> None:
    rapporteur = RoleAssignment.objects.filter(convening=convening, role=RoleKind.RAPPORTEUR).select_related("person").first()
    writer = context.users_by_person.get(rapporteur.person_id) if rapporteur else None
    writer = writer or context.steward
    services.report_save(
        actor=writer, convening=convening, publish=True,
        insights="\n".join(f"- {text}" for text in rng.sample(INSIGHTS, 3)),
        decisions="\n".join(f"- {text}" for text in rng.sample(DECISIONS, 2)),
        methodologies=rng.choice(METHODOLOGIES), resources="\n".join(f"- {text}" for text in rng.sample(RESOURCES, 2)),
    )
    orgs = list(context.member_orgs)
    for _pair in range(2):
        first, second = rng.sample(orgs, 2)
        if not Connection.objects.filter(convening=convening, organization_a=min(first, second, key=lambda o: o.pk),
                                         organization_b=max(first, second, key=lambda o: o.pk)).exists():
            services.connection_add(actor=writer, convening=convening, organization_a=first, organization_b=second,
                                    description="Acordaron compartir metodologías y contactos.")
    owners = [person for person in people if person.pk in context.users_by_person] or people
    for title in rng.sample(ACTIONS, 2):
        owner = rng.choice(owners)
        # What was agreed at the last convening is still open: it shows on the next one's page.
        status = ActionStatus.OPEN if last else rng.choice([ActionStatus.DONE, ActionStatus.DONE, ActionStatus.DROPPED])
        item = services.action_item_create(actor=writer, convening=convening, title=title, owner=owner,
                                           due_on=day + timedelta(days=30), status=status)
        if status == ActionStatus.DONE:
            ActionItem.objects.filter(pk=item.pk).update(completed_at=_moment(day + timedelta(days=25)))


def _review(context: _Context, rng: random.Random, convening) -> None:
    texts = {name: rng.choice(options) for name, options in AAR.items()}
    services.aar_save(actor=context.steward, convening=convening, version=0, **texts)


def _questionnaire(context: _Context, rng: random.Random, convening, day: date, people: list[Person]) -> None:
    questionnaire = services.questionnaire_create(actor=context.steward, community=context.community, convening=convening,
                                                  builtin="post_convening", title=f"Evaluación: {convening.title}")
    services.questionnaire_set_status(actor=context.steward, questionnaire=questionnaire, status=QuestionnaireStatus.OPEN)
    questions = list(questionnaire.questions.prefetch_related("choices").order_by("position"))
    for person in people:
        user = context.users_by_person.get(person.pk)
        if user is None or rng.random() < 0.2:
            continue
        answers = {}
        for question in questions:
            values = [choice.value for choice in question.choices.all()]
            if question.kind == QuestionKind.LIKERT:
                answers[question.name] = values[min(4, max(2, int(rng.gauss(3.6, 0.8))))]
            elif question.kind == QuestionKind.MULTIPLE:
                answers[question.name] = rng.sample(values, rng.randint(1, 3))
            elif question.kind == QuestionKind.RANKING:
                answers[question.name] = rng.sample(values, len(values))
            elif question.kind == QuestionKind.NUMBER:
                answers[question.name] = rng.randint(0, 6)
            elif question.kind == QuestionKind.SHORT_TEXT:
                answers[question.name] = rng.choice(["Confianza", "Aprendizaje", "Alianzas", "Inspirador", "Intenso"])
            elif rng.random() < 0.5:
                answers[question.name] = rng.choice([
                    "Más tiempo para las mesas paralelas.", "Enviar la agenda votada con más anticipación.",
                    "Que la relatoría se comparta en una semana.", "Incluir a más personal joven de campo.",
                ])
        services.response_submit(actor=user, questionnaire=questionnaire, answers=answers)
    services.questionnaire_set_status(actor=context.steward, questionnaire=questionnaire, status=QuestionnaireStatus.CLOSED)
    Response.objects.filter(questionnaire=questionnaire).update(submitted_at=_moment(day + timedelta(days=2), 12))
    Questionnaire.objects.filter(pk=questionnaire.pk).update(
        created_at=_moment(day, 18), opened_at=_moment(day, 18), closed_at=_moment(day + timedelta(days=14)))


def _past_convening(context: _Context, rng: random.Random, number: int, day: date, city: str, *, last: bool, dated) -> None:
    with dated(day) if dated else _null():
        # Written as it was planned, a month before; then it happened.
        convening = services.convening_create(
            actor=context.steward, community=context.community,
            title=f"Encuentro {number}: {city}", starts_at=_moment(day, 9), ends_at=_moment(day + timedelta(days=1), 17),
            mode=Mode.HYBRID if day.year == 2020 and day.month >= 3 else Mode.IN_PERSON, place=VENUES.get(city, city),
            held_alongside=ALONGSIDE.get((context.key, day), ""),
            host_organization=context.member_orgs[(number * 3) % len(context.member_orgs)] if number > 1 else None,
            objectives="Compartir experiencias, acordar prioridades y dar seguimiento a los acuerdos del encuentro anterior.",
        )
        items = _agenda(context, rng, convening, number, close=True)
        _sessions(context, convening, items, day)
        _roles(context, convening, number)
        people = _attendance(context, rng, convening)
        _report(context, rng, convening, day, people, last=last)
        _review(context, rng, convening)
        _questionnaire(context, rng, convening, day, people)
    _redate(convening, _moment(day - timedelta(days=30)), _moment(day, 12))


def _upcoming_convening(context: _Context, rng: random.Random) -> None:
    day = timezone.localdate() + timedelta(days=21)
    convening = services.convening_create(
        actor=context.steward, community=context.community, title="Próximo encuentro: agenda abierta",
        starts_at=_moment(day, 9), ends_at=_moment(day, 17), mode=Mode.HYBRID, place=VENUES["Ciudad de México"],
        objectives="Propón temas y vota con los puntos de tu organización antes del encuentro.",
    )
    _agenda(context, rng, convening, 9, close=False)
    # Open and unanswered, so that answering a questionnaire can be tried at once too.
    questionnaire = services.questionnaire_create(
        actor=context.steward, community=context.community, convening=convening, title="Antes del próximo encuentro",
        description="Un minuto: nos ayuda a preparar el encuentro.")
    services.question_add(actor=context.steward, questionnaire=questionnaire, kind=QuestionKind.SINGLE, name="modalidad",
                          text="¿Cómo participará tu organización?", required=True,
                          choices=["En persona", "En línea", "Todavía no lo sabemos"])
    services.question_add(actor=context.steward, questionnaire=questionnaire, kind=QuestionKind.NUMBER, name="personas",
                          text="¿Cuántas personas de tu organización vendrán?")
    services.question_add(actor=context.steward, questionnaire=questionnaire, kind=QuestionKind.LONG_TEXT, name="preparar",
                          text="¿Algo que debamos preparar (accesibilidad, traducción, cuidados)?")
    services.questionnaire_set_status(actor=context.steward, questionnaire=questionnaire, status=QuestionnaireStatus.OPEN)


class _null:
    def __enter__(self):
        return self

    def __exit__(self, *args):
        return False


def _redate(convening, planned: datetime, held: datetime) -> None:
    """Stamp the rows written just now with the convening's story dates."""
    AgendaItem.objects.filter(convening=convening).update(created_at=planned)
    AgendaVote.objects.filter(convening=convening).update(updated_at=planned + timedelta(days=7))
    RoleAssignment.objects.filter(convening=convening).update(assigned_at=planned + timedelta(days=14))
    Attendance.objects.filter(convening=convening).update(checked_in_at=held)
    Report.objects.filter(convening=convening).update(created_at=held, published_at=held + timedelta(days=5))
    Connection.objects.filter(convening=convening).update(created_at=held)
    ActionItem.objects.filter(convening=convening).update(created_at=held)
    type(convening).objects.filter(pk=convening.pk).update(created_at=planned)
