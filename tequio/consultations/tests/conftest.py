"""Fixtures of the consultations tests: the cast, an open consultation, and voters."""

from __future__ import annotations

import pytest

from tequio.consultations import services
from tequio.consultations.models import Audience, Consultation, ConsultationState
from tequio.core import services as core_services
from tequio.testing.personas import make_user

SEEDS = [
    "Debemos priorizar la prevención con jóvenes en las colonias.",
    "Hay que incidir en la reforma de justicia penal.",
    "Cada organización necesita diversificar su financiamiento.",
    "Las mujeres de las colonias deben definir las prioridades.",
    "Necesitamos compartir información de forma segura.",
    "La comunidad debería aceptar fondos del gobierno estatal.",
]


@pytest.fixture
def steward(cast):
    return cast.users["steward"]


@pytest.fixture
def consultation(cast, steward) -> Consultation:
    return services.consultation_create(
        actor=steward, community=cast.community, question="¿Qué debe priorizar la comunidad?",
        audience=Audience.INVITED, state=ConsultationState.OPEN, seed_statements=SEEDS,
    )


def add_members(cast, count: int, *, prefix: str = "voter") -> list:
    """``count`` more member accounts in the cast community."""
    users = []
    for number in range(count):
        user = make_user(f"{prefix}{number}@{cast.community.slug}.test")
        _invitation, token = core_services.invitation_create(actor=cast.users["convener"], community=cast.community,
                                                             email=user.email, role="member")
        core_services.invitation_accept(user=user, token=token)
        users.append(user)
    return users


def vote_in_camps(consultation: Consultation, users: list, *, camps: int = 3) -> None:
    """User i agrees with the statements of camp i % camps and disagrees with the others, or
    passes on some of them (a different pattern for each user of a camp, so that nobody sits
    on exactly the same spot: the method needs a dozen distinct positions to try 3 groups)."""
    statements = list(consultation.statements.filter(status="accepted").order_by("number"))
    for index, user in enumerate(users):
        camp, pattern = index % camps, index // camps
        others = 0
        for statement in statements:
            if statement.number % camps == camp:
                value = 1
            else:
                value = 0 if pattern >> others & 1 else -1
                others += 1
            services.vote_cast(actor=user, consultation=consultation, statement_id=statement.pk, value=value)


@pytest.fixture
def voters(cast, consultation):
    """Fifteen members who voted on every statement, in three camps; groups computed."""
    users = add_members(cast, 15)
    vote_in_camps(consultation, users)
    services.analysis_compute(consultation_id=consultation.pk, force=True)
    consultation.refresh_from_db()
    return users
