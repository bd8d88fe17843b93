"""Fixtures of the convenings tests: the cast of personas, plus a convening ahead."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tequio.convenings import services
from tequio.core import services as core_services


@pytest.fixture
def steward(cast):
    return cast.users["steward"]


@pytest.fixture
def convening(cast, steward):
    start = timezone.now() + timedelta(days=10)
    return services.convening_create(
        actor=steward, community=cast.community, title="Encuentro en Hermosillo", starts_at=start,
        ends_at=start + timedelta(hours=8), place="Casa de la Cultura, Hermosillo", objectives="Aprender juntos",
    )


@pytest.fixture
def member_org_two(cast):
    """A second member organization with its own member account, to vote and rotate."""
    from tequio.testing.personas import make_user

    convener = cast.users["convener"]
    user = make_user("otra@cast.test")
    _invitation, token = core_services.invitation_create(actor=convener, community=cast.community, email=user.email,
                                                         role="member", organization=cast.other_organization)
    core_services.invitation_accept(user=user, token=token)
    return user
