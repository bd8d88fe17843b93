"""The network part of the demo: ties formed at the demo convenings, two survey waves, a
stakeholder map, asks and offers. Everything goes through the services, dated to the day
it happened in the story, so the demo reads the same on every machine.

The story of Group 1 follows the CSA guide: at first most ties run through the convener
(a donor program); convening after convening the member organizations tie to each other
and to the local system, and in 2020 the convener's own resource ties end.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.db.models import Q

from tequio.core.models import Affiliation, Organization

from . import services
from .models import (
    ITEMS,
    AskKind,
    AskTopic,
    Contribution,
    Frequency,
    Intensity,
    Outcome,
    RelationWanted,
    Sector,
    SurveyRating,
    SurveyResponse,
    Tie,
    TieOrigin,
    TieType,
    WaveStatus,
)
from .params import NetworkParams

LOCAL_TZ = ZoneInfo("America/Mexico_City")
T = TieType

# (day, org a, org b, type, directed, confirmed by: "both" | "a" | "none", ended on)
GROUP_1_TIES = [
    # Before the first convening the convener funds and accompanies each member on its own.
    (date(2018, 10, 17), "convener", "jcp", T.RESOURCE_SHARING, True, "both", date(2020, 6, 30)),
    (date(2018, 10, 17), "convener", "cmf", T.RESOURCE_SHARING, True, "both", date(2020, 6, 30)),
    (date(2018, 10, 17), "convener", "dcj", T.RESOURCE_SHARING, True, "both", date(2020, 6, 30)),
    (date(2018, 10, 17), "convener", "ocj", T.RESOURCE_SHARING, True, "both", None),
    (date(2018, 10, 17), "convener", "rsn", T.RESOURCE_SHARING, True, "both", date(2020, 6, 30)),
    (date(2018, 10, 17), "convener", "tcs", T.RESOURCE_SHARING, True, "both", date(2020, 6, 30)),
    (date(2018, 10, 17), "convener", "cmd", T.RESOURCE_SHARING, True, "both", None),
    (date(2018, 10, 17), "convener", "fno", T.FORMAL_ALLIANCE, False, "both", None),
    (date(2018, 10, 17), "convener", "abo", T.FORMAL_ALLIANCE, False, "both", None),
    (date(2018, 10, 17), "convener", "cfo", T.FORMAL_ALLIANCE, False, "both", None),
    # Tijuana, October 2018: the first exchanges.
    (date(2018, 10, 17), "jcp", "cmf", T.INFORMATION_SHARING, False, "both", None),
    (date(2018, 10, 17), "abo", "jcp", T.INFORMATION_SHARING, False, "both", None),
    (date(2018, 10, 17), "fno", "rsn", T.INFORMATION_SHARING, False, "both", None),
    # Mexico City, March 2019: criminal justice and data.
    (date(2019, 3, 21), "dcj", "ocj", T.JOINT_ACTIVITY, False, "both", None),
    (date(2019, 3, 21), "tcs", "ocj", T.DATA_SHARING, False, "both", None),
    (date(2019, 3, 21), "cfo", "dcj", T.INFORMATION_SHARING, False, "both", None),
    (date(2019, 3, 21), "bprl", "cmf", T.INFORMATION_SHARING, False, "both", None),
    # Hermosillo, November 2019: the Sonora group against violence towards women.
    (date(2019, 11, 14), "rsn", "cmd", T.JOINT_ACTIVITY, False, "both", None),
    (date(2019, 11, 14), "fno", "cmd", T.RESOURCE_SHARING, True, "both", None),
    (date(2019, 11, 14), "cmf", "cmd", T.REFERRAL, True, "both", None),
    (date(2019, 11, 14), "jcp", "rsn", T.INFORMATION_SHARING, False, "both", None),
    # Tijuana, January 2020.
    (date(2020, 1, 30), "jcp", "tcs", T.JOINT_ACTIVITY, False, "both", None),
    (date(2020, 1, 30), "abo", "cmf", T.FORMAL_ALLIANCE, False, "both", None),
    (date(2020, 1, 30), "bprl", "jcp", T.DATA_SHARING, False, "a", None),
    # Mexico City, March 2020.
    (date(2020, 3, 5), "dcj", "rsn", T.FORMAL_ALLIANCE, False, "both", None),
    (date(2020, 3, 5), "ocj", "abo", T.DATA_SHARING, False, "a", None),
    (date(2020, 3, 5), "cfo", "fno", T.INFORMATION_SHARING, False, "both", None),
    (date(2020, 3, 5), "tcs", "cmd", T.RESOURCE_SHARING, True, "none", None),
]
GROUP_2_TIES = [
    (date(2019, 6, 19), "fhc", "cme", T.RESOURCE_SHARING, True, "both", None),
    (date(2019, 6, 19), "fhc", "cdh", T.RESOURCE_SHARING, True, "both", None),
    (date(2019, 6, 19), "ijd", "dap", T.DATA_SHARING, False, "both", None),
    (date(2019, 6, 19), "cme", "npb", T.REFERRAL, True, "both", None),
    (date(2019, 10, 10), "ijd", "icr", T.JOINT_ACTIVITY, False, "both", None),
    (date(2019, 10, 10), "dap", "cav", T.DATA_SHARING, False, "a", None),
    (date(2019, 10, 10), "cvl", "cav", T.INFORMATION_SHARING, False, "both", None),
    (date(2019, 10, 10), "aom", "rjp", T.INFORMATION_SHARING, False, "both", None),
    (date(2020, 1, 23), "cdh", "mac", T.JOINT_ACTIVITY, False, "both", None),
    (date(2020, 1, 23), "fcs", "icr", T.INFORMATION_SHARING, False, "a", None),
    (date(2020, 1, 23), "cev", "fip", T.INFORMATION_SHARING, False, "none", None),
    (date(2020, 1, 23), "bprl", "ijd", T.DATA_SHARING, False, "a", None),
]
GROUP_3_TIES = [
    (date(2019, 11, 26), "rsm", "imm", T.JOINT_ACTIVITY, False, "both", None),
    (date(2019, 11, 26), "sep", "upv", T.JOINT_ACTIVITY, False, "both", None),
    (date(2020, 1, 16), "rsm", "che", T.REFERRAL, True, "both", None),
    (date(2020, 1, 16), "cen", "rsm", T.RESOURCE_SHARING, True, "both", None),
    (date(2020, 1, 16), "cue", "sep", T.DATA_SHARING, False, "both", None),
    (date(2020, 3, 1), "imm", "che", T.INFORMATION_SHARING, False, "a", None),
    (date(2020, 6, 18), "upv", "ccm", T.FORMAL_ALLIANCE, False, "both", None),
    (date(2020, 6, 18), "cue", "upv", T.INFORMATION_SHARING, False, "none", None),
]
TIES = {"group1": GROUP_1_TIES, "group2": GROUP_2_TIES, "group3": GROUP_3_TIES}
EVENT_LABELS = {"group1": "Encuentro", "group2": "Encuentro", "group3": "Reunión de seguimiento"}

STAKEHOLDERS = [
    ("Secretaría de Seguridad Ciudadana de Tijuana", Sector.GOVERNMENT, 5, 3, 4, RelationWanted.COLLABORATE, ("jcp", "abo"),
     "Coordina el programa municipal de prevención; abierta a trabajar con organizaciones en colonias del oriente."),
    ("Fiscalía General del Estado de Sonora", Sector.GOVERNMENT, 5, 2, 3, RelationWanted.CONSULT, ("rsn",),
     "Clave para los casos de violencia contra mujeres y niñez; el diálogo ha sido difícil."),
    ("Sistema Estatal DIF Sonora", Sector.GOVERNMENT, 4, 4, 4, RelationWanted.ALLIANCE, ("rsn", "cmd"),
     "Protección de niñas, niños y adolescentes; socio natural de la Red."),
    ("Congreso del Estado de Baja California", Sector.GOVERNMENT, 4, 2, 2, RelationWanted.INFORM, (),
     "Comisión de Seguridad: conviene informar sobre la evidencia de la mediación."),
    ("Cámara de Comercio de Tijuana", Sector.PRIVATE, 3, 2, 2, RelationWanted.INFORM, ("abo",),
     "Interés en la seguridad de los negocios; aún lejos de la prevención comunitaria."),
    ("Universidad de Sonora, Departamento de Sociología", Sector.ACADEMIA, 2, 5, 4, RelationWanted.COLLABORATE, ("fno",),
     "Puede evaluar los proyectos de prevención y formar estudiantes en servicio social."),
    ("El Vigía del Noroeste (diario regional)", Sector.MEDIA, 3, 3, 2, RelationWanted.INFORM, (),
     "Cubre seguridad; podría contar historias de mediación en lugar de solo cifras."),
    ("Fundación Comunitaria de la Frontera", Sector.DONOR, 4, 4, 3, RelationWanted.ALLIANCE, ("abo", "jcp"),
     "Fondo local con interés en juventudes; posible financiamiento después del programa."),
    ("Comités vecinales del oriente de Tijuana", Sector.COMMUNITY, 2, 4, 5, RelationWanted.INVOLVE, ("jcp",),
     "Quienes viven la violencia cada día: su voz debe estar en el diseño."),
]

ASKS = [
    # (day, org, kind, topic, title, body, answers: [(day, org, body, accept)])
    (date(2019, 11, 14), "cmd", AskKind.NEED, AskTopic.EXPERTISE, "Formación en mediación para promotoras comunitarias",
     "Buscamos quién pueda formar a cinco promotoras en mediación comunitaria, en Cajeme, en 2020.",
     [(date(2019, 11, 20), "cmf", "Podemos dar el taller de formación de mediadoras en febrero.", True)]),
    (date(2020, 1, 30), "jcp", AskKind.NEED, AskTopic.CONTACTS, "Contactos en el sistema de justicia para adolescentes",
     "Queremos presentar nuestro modelo a jueces y defensoría de adolescentes en Baja California.",
     [(date(2020, 2, 3), "dcj", "Tenemos contacto con la defensoría pública; les presentamos en marzo.", False)]),
    (date(2020, 3, 5), "tcs", AskKind.OFFER, AskTopic.EXPERTISE, "Acompañamiento en seguridad digital",
     "Ofrecemos dos sesiones de seguridad digital para equipos que trabajan con casos sensibles.", []),
    (date(2020, 3, 5), "ocj", AskKind.OFFER, AskTopic.INFORMATION, "Tablero de datos de justicia penal por estado",
     "Podemos preparar tableros con datos de fiscalías y tribunales para Baja California y Sonora.", []),
]

# Two waves for Group 1: the second, after a year of convenings, rates partners higher.
WAVES = [
    ("Primera medición de la red", date(2019, 3, 21), date(2019, 4, 30), 0),
    ("Segunda medición de la red", date(2020, 1, 30), date(2020, 2, 29), 1),
]


def _moment(day: date) -> datetime:
    return datetime.combine(day, time(10, 0), tzinfo=LOCAL_TZ)


def _speakers(community) -> dict[int, object]:
    """One account per organization that can speak for it (its first affiliated member)."""
    speakers: dict[int, object] = {}
    for org_id, user in (
        Affiliation.objects.filter(person__community=community, person__user__isnull=False)
        .select_related("person__user").order_by("person_id").values_list("organization_id", "person__user")
    ):
        speakers.setdefault(org_id, user)
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.in_bulk(list(speakers.values()))
    return {org: users[user] for org, user in speakers.items()}


def _score(*parts) -> int:
    """A deterministic rating 2-4 from its parts."""
    digest = hashlib.sha256(":".join(str(p) for p in parts).encode()).digest()
    return 2 + digest[0] % 3


def demo_seed(*, demo) -> None:
    convener = demo.users.get("mariana.villasenor")
    for key, rows in TIES.items():
        community = demo.communities.get(key)
        organizations = demo.organizations.get(key, {})
        if community is None:
            continue
        speakers = _speakers(community)
        for day, a, b, tie_type, directed, confirmed, ended in rows:
            if a not in organizations or b not in organizations:
                continue
            source, target = organizations[a], organizations[b]
            recorder = speakers.get(source.pk, convener)
            with demo.dated(day):
                tie = services.tie_record(
                    actor=recorder, community=community, source=source, target=target, type=tie_type,
                    directed=directed, started_on=day, ended_on=ended, origin=TieOrigin.CONVENING,
                    origin_label=f"{EVENT_LABELS[key]} {day.isoformat()}",
                )
                for organization in (source, target):
                    wanted = confirmed == "both" or (confirmed == "a" and organization == source)
                    side = tie.side_of(organization.pk)
                    if wanted and getattr(tie, f"{side}_confirmed_at") is None:
                        tie = services.tie_confirm(actor=speakers.get(organization.pk, convener), tie=tie,
                                                   organization=organization)
                    elif not wanted and getattr(tie, f"{side}_confirmed_at") is not None:
                        Tie.objects.filter(pk=tie.pk).update(**{f"{side}_confirmed_at": None, f"{side}_confirmed_by": None})
            moment = _moment(day)
            Tie.objects.filter(pk=tie.pk).update(created_at=moment, updated_at=moment)
            Tie.objects.filter(pk=tie.pk, source_confirmed_at__isnull=False).update(source_confirmed_at=moment)
            Tie.objects.filter(pk=tie.pk, target_confirmed_at__isnull=False).update(target_confirmed_at=moment)
    group1 = demo.communities.get("group1")
    if group1 is not None:
        _stakeholders(demo, group1, convener)
        _asks(demo, group1)
        _waves(demo, group1, convener)
    for community in demo.communities.values():
        services.snapshot_request(community=community, params=NetworkParams(), background=False)


def _stakeholders(demo, community, convener) -> None:
    organizations = demo.organizations["group1"]
    with demo.dated(date(2019, 11, 14)):
        for name, sector, influence, alignment, interest, wanted, holders, notes in STAKEHOLDERS:
            services.stakeholder_create(
                actor=convener, community=community, name=name, sector=sector, influence=influence, alignment=alignment,
                interest=interest, relation_wanted=wanted, relation_notes=notes,
                held_by=[organizations[key] for key in holders if key in organizations],
            )


def _asks(demo, community) -> None:
    organizations = demo.organizations["group1"]
    speakers = _speakers(community)
    from .models import Answer, Ask

    for day, key, kind, topic, title, body, answers in ASKS:
        organization = organizations[key]
        with demo.dated(day):
            ask = services.ask_create(actor=speakers.get(organization.pk), community=community, organization=organization,
                                      kind=kind, topic=topic, title=title, body=body)
        Ask.objects.filter(pk=ask.pk).update(created_at=_moment(day))
        for answer_day, answer_key, text, accept in answers:
            answering = organizations[answer_key]
            with demo.dated(answer_day):
                answer = services.answer_create(actor=speakers.get(answering.pk), ask=ask, organization=answering, body=text)
                Answer.objects.filter(pk=answer.pk).update(created_at=_moment(answer_day))
                if accept:
                    answer = services.answer_accept(actor=speakers.get(organization.pk), answer=answer)
                    Answer.objects.filter(pk=answer.pk).update(decided_at=_moment(answer_day))
                    Tie.objects.filter(pk=answer.tie_id).update(
                        started_on=answer_day, created_at=_moment(answer_day), source_confirmed_at=_moment(answer_day),
                        target_confirmed_at=_moment(answer_day),
                    )


def _waves(demo, community, convener) -> None:
    speakers = _speakers(community)
    organizations = list(Organization.objects.active().filter(community=community).order_by("id"))
    for title, opens, closes, round_number in WAVES:
        with demo.dated(opens):
            wave = services.wave_create(actor=convener, community=community, title=title, opens_on=opens, closes_on=closes,
                                        status=WaveStatus.OPEN,
                                        instructions="Piensa en los últimos doce meses de trabajo con cada organización.")
        for organization in organizations:
            user = speakers.get(organization.pk)
            if user is None or organization.pk == community.convener_organization_id:
                continue
            tied = set(
                Tie.objects.in_network().filter(community=community, started_on__lte=opens)
                .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=opens))
                .involving([organization.pk]).values_list("source_id", "target_id")
            )
            partners = {pk for pair in tied for pk in pair} - {organization.pk}
            chosen = [org for org in organizations if org.pk in partners]
            if not chosen:
                continue
            with demo.dated(opens):
                response = services.survey_partners_select(actor=user, wave=wave, organization=organization, partners=chosen)
                ratings = {}
                for partner in chosen:
                    scores = {item: min(4, _score(round_number, organization.pk, partner.pk, item) + round_number) for item in ITEMS}
                    if (organization.pk + partner.pk) % 7 == 0:
                        scores["resources"] = None  # an unanswered item: that pair gets no value score
                    intensity = [Intensity.COOPERATION, Intensity.COORDINATION, Intensity.INTEGRATION][
                        min(2, _score(organization.pk, partner.pk) - 2 + round_number)]
                    ratings[partner.pk] = {"intensity": intensity, "frequency": Frequency.MONTHLY if round_number else Frequency.QUARTERLY,
                                           **scores}
                contributions = [Contribution.EXPERTISE, Contribution.INFORMATION] + ([Contribution.DATA] if organization.pk % 2 else [])
                outcomes = [Outcome.KNOWLEDGE] + ([Outcome.ALLIANCES, Outcome.RESOURCES] if round_number else [Outcome.DUPLICATION])
                services.survey_answer_save(actor=user, response=response, ratings=ratings, contributions=contributions,
                                            outcomes=outcomes, submit=True)
            SurveyResponse.objects.filter(pk=response.pk).update(created_at=_moment(opens), submitted_at=_moment(opens))
        with demo.dated(closes):
            services.wave_update(actor=convener, wave=wave, status=WaveStatus.CLOSED)
        services.snapshot_request(community=community, wave=wave, background=False)
    assert SurveyRating.objects.filter(response__wave__community=community).exists()
