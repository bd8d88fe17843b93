"""The demo consultation: the first community asks what to prioritize, in Spanish.

It is the Discovery stage of the sources ("locally led articulated demands"): member
organizations and, through an invitation link, young people and women from the
neighbourhoods they serve, say what the community should work on. Three camps run
through the answers (prevention with young people in the neighbourhoods; policy
advocacy on criminal justice; strengthening the organizations themselves) and a few
statements unite everyone, so the opinion map shows three groups and common ground.

Deterministic: statements, who votes and how come from fixed lists and a seeded random
generator; every timestamp is a day of the story (February and March 2020). The
consultation stays open, so that people trying the demo can vote too; Lucía Méndez
(the demo's member account) has not voted yet.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth.models import AnonymousUser
from django.db import transaction

from tequio.core import choices
from tequio.core.models import Membership

from . import services
from .models import (
    Audience,
    Consultation,
    ConsultationState,
    InvitationLink,
    Participant,
    Statement,
    Vote,
)

LOCAL_TZ = ZoneInfo("America/Mexico_City")
OPENED = date(2020, 2, 3)
SEED = 20200203
UNVOTED_MEMBERS = {"lucia.mendez"}

QUESTION = "¿Qué debería priorizar nuestra comunidad de aprendizaje en los próximos dos años?"
CONTEXT = (
    "Después del encuentro de Tijuana acordamos escuchar, antes de definir la agenda, a las "
    "organizaciones miembro y a las personas con quienes trabajamos: jóvenes, mujeres y familias "
    "de las colonias de Tijuana, Hermosillo y la Ciudad de México.\n\n"
    "Lee cada afirmación y responde *de acuerdo*, *en desacuerdo* o *paso*. Puedes escribir las "
    "tuyas. El resultado se presentará en el próximo encuentro y servirá para el diálogo con las "
    "autoridades estatales."
)

# (text, camp): "P" prevention with young people, "I" policy advocacy, "F" strengthening the
# organizations, "C" common ground, "D1".."D3" divisive.
SEEDS = [
    ("La prioridad debe ser la prevención de la violencia con jóvenes en las colonias.", "P"),
    ("Necesitamos más espacios seguros para adolescentes fuera del horario escolar.", "P"),
    ("Los programas deben diseñarse junto con las y los jóvenes, no solo para ellos.", "P"),
    ("La mediación comunitaria debe llegar a cada colonia con alta incidencia de violencia.", "P"),
    ("Debemos concentrarnos en incidir en la reforma estatal de justicia penal.", "I"),
    ("Sin cambios en la política pública, nuestros proyectos no van a escalar.", "I"),
    ("Hay que presentar una agenda común a las candidaturas en las próximas elecciones.", "I"),
    ("Debemos documentar y publicar datos sobre detenciones arbitrarias.", "I"),
    ("Antes de crecer, cada organización necesita diversificar su financiamiento.", "F"),
    ("La comunidad debería crear un fondo común para cubrir costos operativos.", "F"),
    ("Hace falta capacitación en administración y rendición de cuentas para las organizaciones pequeñas.", "F"),
    ("Debemos profesionalizar la gestión de proyectos y la evaluación de resultados.", "F"),
    ("Las mujeres, jóvenes y pueblos indígenas con quienes trabajamos deben definir las prioridades.", "C"),
    ("Necesitamos compartir información entre organizaciones de forma segura.", "C"),
    ("La comunidad debe ser dirigida por sus integrantes y no por el programa que la convocó.", "C"),
    ("La comunidad debería aceptar fondos del gobierno estatal.", "D1"),
    ("Debemos trabajar de cerca con la policía municipal.", "D2"),
    ("Es mejor enfocarnos en una sola ciudad que en toda la región.", "D3"),
]
# Written by participants invited through the link: (text, camp, decision).
WRITTEN = [
    ("En mi colonia no hay alumbrado y las calles son peligrosas de noche.", "P", "accepted"),
    ("Queremos becas para terminar la preparatoria.", "P", "accepted"),
    ("Las madres que buscan a sus hijos necesitan acompañamiento legal.", "I", "accepted"),
    ("Que haya talleres de oficios para jóvenes los fines de semana.", "P", "pending"),
    ("Compra seguidores baratos para tu página, escríbenos por mensaje.", "", "spam"),
    ("El presidente municipal es el único culpable de todo lo que pasa.", "", "rejected"),
]
# Member organizations and their camp (keys of core.demo's first community).
ORGANIZATION_CAMPS = {"jcp": "P", "cmf": "P", "cmd": "P", "dcj": "I", "ocj": "I", "rsn": "I", "tcs": "F", "fno": "F",
                      "abo": "F", "cfo": "F"}
# People invited through the link: young people and women of the neighbourhoods (most in
# the prevention camp), mothers searching for their children (advocacy), and members of
# small community organizations (strengthening).
INVITED_CAMPS = ["P"] * 14 + ["I"] * 9 + ["F"] * 9
# Agree / disagree probabilities by (statement camp, participant camp); the rest are passes.
DIVISIVE = {"D1": {"P": (0.1, 0.8), "I": (0.85, 0.1), "F": (0.75, 0.15)},
            "D2": {"P": (0.75, 0.15), "I": (0.1, 0.85), "F": (0.35, 0.4)},
            "D3": {"P": (0.2, 0.7), "I": (0.2, 0.7), "F": (0.8, 0.1)}}


def _probabilities(statement_camp: str, camp: str) -> tuple[float, float]:
    if statement_camp == "C":
        return 0.88, 0.05
    if statement_camp in DIVISIVE:
        return DIVISIVE[statement_camp][camp]
    if statement_camp == camp:
        return 0.88, 0.05
    return 0.2, 0.55


def _moment(day: date, minutes: int = 0) -> datetime:
    return datetime.combine(day, time(10, 0), tzinfo=LOCAL_TZ) + timedelta(minutes=minutes)


def demo_seed(*, demo) -> Consultation | None:
    """Create the demo consultation in the first community (see the module docstring)."""
    community = demo.communities.get("group1")
    if community is None:
        return None
    rng = random.Random(SEED)  # noqa: S311  (a fixed seed: the demo reads the same on every machine)
    convener = demo.users.get("mariana.villasenor")
    with transaction.atomic():
        consultation = services.consultation_create(
            actor=convener, community=community, question=QUESTION, context=CONTEXT, language="es",
            audience=Audience.INVITED, moderation_required=True, state=ConsultationState.OPEN,
            seed_statements=[text for text, _camp in SEEDS],
        )
        camps = {statement.pk: camp for statement, (_text, camp) in
                 zip(consultation.statements.order_by("number"), SEEDS, strict=True)}
        link, _code = services.invitation_link_create(
            actor=convener, consultation=consultation, max_uses=40,
            label="Taller con jóvenes y mujeres de colonias de Tijuana y Hermosillo",
        )
        voters: list[tuple[Participant, str, date]] = []
        members = (
            Membership.objects.active().filter(community=community, role__in=[
                choices.Role.CONVENER, choices.Role.STEWARD, choices.Role.MEMBER, choices.Role.ALLY])
            .select_related("user", "person").order_by("pk")
        )
        organization_of = {org.pk: key for key, org in demo.organizations["group1"].items()}
        keys = {user.pk: key for key, user in demo.users.items() if hasattr(user, "pk")}
        for number, membership in enumerate(members):
            if keys.get(membership.user_id) in UNVOTED_MEMBERS:
                continue
            affiliation = membership.person.affiliations.order_by("-is_primary", "pk").first() if membership.person else None
            key = organization_of.get(affiliation.organization_id) if affiliation else None
            camp = ORGANIZATION_CAMPS.get(key, "PIF"[number % 3])
            participant = services._member_participant(consultation, membership.user)
            voters.append((participant, camp, OPENED + timedelta(days=rng.randint(0, 10))))
        for camp in INVITED_CAMPS:
            participant, _token = services.participant_join(user=AnonymousUser(), link=link)
            voters.append((participant, camp, OPENED + timedelta(days=rng.randint(3, 25))))

        # Three of the invited write statements; moderators decide on them later.
        invited = [entry for entry in voters if entry[0].invitation_id]
        for index, (text, camp, decision) in enumerate(WRITTEN):
            author = invited[index * 3][0]
            statement = services.statement_submit(actor=AnonymousUser(), consultation=consultation, participant=author,
                                                  text=text)
            camps[statement.pk] = camp
            if decision != "pending":
                services.statement_moderate(actor=convener, statement=statement, status=decision)

        accepted = list(Statement.objects.filter(consultation=consultation, status="accepted").order_by("number"))
        votes = []
        for participant, camp, first_day in voters:
            for statement in accepted:
                if statement.author_id == participant.pk or rng.random() < 0.12:
                    continue
                agree, disagree = _probabilities(camps[statement.pk], camp)
                draw = rng.random()
                value = 1 if draw < agree else -1 if draw < agree + disagree else 0
                when = _moment(first_day, rng.randint(0, 600))
                votes.append(Vote(consultation=consultation, participant=participant, statement=statement, value=value,
                                  created_at=when, updated_at=when))
        Vote.objects.bulk_create(votes)
        _redate(consultation, voters)
    services.analysis_compute(consultation_id=consultation.pk, force=True)
    return consultation


def _redate(consultation: Consultation, voters) -> None:
    """Move everything written by the services to the days of the story."""
    opened = _moment(OPENED)
    Consultation.objects.filter(pk=consultation.pk).update(created_at=opened, updated_at=opened)
    InvitationLink.objects.filter(consultation=consultation).update(created_at=opened)
    for participant, _camp, first_day in voters:
        Participant.objects.filter(pk=participant.pk).update(created_at=_moment(first_day))
    Statement.objects.filter(consultation=consultation, is_seed=True).update(created_at=opened)
    for statement in Statement.objects.filter(consultation=consultation, is_seed=False).select_related("author"):
        written = statement.author.created_at + timedelta(hours=1)
        Statement.objects.filter(pk=statement.pk).update(
            created_at=written, moderated_at=written + timedelta(days=1) if statement.moderated_at else None)
        Vote.objects.filter(statement=statement, participant=statement.author).update(created_at=written, updated_at=written)
    from tequio.core.models import AuditEvent

    AuditEvent.objects.filter(action__startswith="consultation.", community=consultation.community).update(created_at=opened)
