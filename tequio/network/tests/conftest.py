"""The cast, plus what network tests need: a member who speaks for the other organization,
and a few more organizations of different kinds, places and themes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from tequio.core import services as core
from tequio.core.models import Organization
from tequio.testing.personas import Cast, build_cast, make_user


@dataclass
class NetworkCast:
    cast: Cast
    partner: object  # a member who speaks for cast.other_organization
    convener_org: Organization
    extra: list[Organization]

    @property
    def community(self):
        return self.cast.community

    @property
    def users(self):
        return self.cast.users

    @property
    def mine(self) -> Organization:
        """The organization the cast's member, steward, ally and observer belong to."""
        return self.cast.organization

    @property
    def theirs(self) -> Organization:
        return self.cast.other_organization


def build_network_cast(privacy: str = "listed") -> NetworkCast:
    cast = build_cast(privacy=privacy)
    convener = cast.users["convener"]
    partner = make_user("partner@cast.test")
    invitation, token = core.invitation_create(actor=convener, community=cast.community, email=partner.email,
                                               role="member", organization=cast.other_organization)
    core.invitation_accept(user=partner, token=token)
    extra = [
        core.organization_create(actor=convener, community=cast.community, name="Universidad del Norte", kind="academia",
                                 state="SON", municipality="Hermosillo", thematic_areas=["human_rights", "education"]),
        core.organization_create(actor=convener, community=cast.community, name="Secretaría Municipal", kind="government",
                                 state="SON", municipality="Hermosillo", thematic_areas=["violence_prevention"]),
        core.organization_create(actor=convener, community=cast.community, name="Red de Mediación", kind="network",
                                 state="COA", thematic_areas=["mediation"]),
    ]
    return NetworkCast(cast=cast, partner=partner, convener_org=cast.community.convener_organization, extra=extra)


@pytest.fixture
def ncast(db) -> NetworkCast:
    return build_network_cast()


DAY = date(2024, 3, 1)


@pytest.fixture
def spanish():
    """Give a message a Spanish translation for one test.

    The catalogs are compiled by the lead after this code lands; this proves the message
    goes through gettext when the error is raised, in the language of the request.
    """
    from django.utils.translation import trans_real

    catalog = trans_real.translation("es")._catalog._catalogs[0]
    added: dict[str, object] = {}

    def add(msgid: str, msgstr: str) -> None:
        added.setdefault(msgid, catalog.get(msgid, None))
        catalog[msgid] = msgstr

    yield add
    for msgid, previous in added.items():
        if previous is None:
            catalog.pop(msgid, None)
        else:
            catalog[msgid] = previous
