"""The network app in the URL walk (``tequio.testing.urlwalk``): objects and expectations.

In the cast community the walk's tie joins the personas' organization (the member,
steward, ally and observer belong to it) and the other one; the ask is the other
organization's, answered by the convener's organization. Statuses follow from
``permissions.ACTIONS`` and the object rules: the convener and the administrator speak
for neither end of the tie, so they cannot confirm it.
"""

from __future__ import annotations

from datetime import date

from tequio.core.models import Organization
from tequio.testing.walkrules import (
    allowed,
    api_operation,
    post_only,
    signed_in,
)

# The network is never public: outsiders meet 404 in a private community and 403 in a public one.
OUTSIDE = {"anonymous@private": 404, "outsider@private": 404, "anonymous@public": 403, "outsider@public": 403}
VIEW = dict(OUTSIDE)
ASKS = {**OUTSIDE, "observer": 403}
CONTRIBUTE = {**ASKS, "ally": 403}
MANAGE = {**CONTRIBUTE, "member": 403}


def url_walk_objects(*, community, actor) -> dict:
    """One tie, open survey wave, stakeholder, ask and answer in ``community``."""
    from tequio.core import services as core

    from . import services

    others = list(Organization.objects.active().filter(community=community)
                  .exclude(pk=community.convener_organization_id or 0).order_by("pk")[:2])
    while len(others) < 2:
        others.append(core.organization_create(actor=actor, community=community, name=f"Walk network {len(others)}"))
    answering = community.convener_organization or core.organization_create(
        actor=actor, community=community, name="Walk network answers")
    tie = services.tie_record(actor=actor, community=community, source=others[0], target=others[1],
                              type="joint_activity", started_on=date(2025, 1, 31), speaks_for=set())
    wave = services.wave_create(actor=actor, community=community, title="Walk wave", opens_on=date(2025, 1, 31),
                                status="open")
    stakeholder = services.stakeholder_create(actor=actor, community=community, name="Walk stakeholder",
                                              sector="government", influence=3, alignment=3)
    ask = services.ask_create(actor=actor, community=community, organization=others[1], kind="need",
                              topic="contacts", title="Walk ask")
    answer = services.answer_create(actor=actor, ask=ask, organization=answering, body="Walk answer")
    # "ty": the walk singularizes the "ties" segment with the -ies -> -y rule of "activities".
    return {"tie": tie, "ty": tie, "survey": wave, "stakeholder": stakeholder, "ask": ask, "answer": answer}


PAGES: dict[str, dict] = {
    "network:map": allowed(VIEW),
    "network:recompute": post_only(MANAGE, 302),
    "network:ties": allowed(VIEW),
    # The walk posts empty forms: a form page answers with its errors (200).
    "network:tie_create": allowed(CONTRIBUTE),
    "network:tie_detail": allowed(VIEW),
    "network:tie_edit": allowed(CONTRIBUTE),
    # Only an end of the tie confirms or declines it: not the convener, not the administrator.
    "network:tie_confirm": post_only(CONTRIBUTE, 302, convener__POST=403, admin__POST=403),
    "network:tie_decline": post_only(CONTRIBUTE, 302, convener__POST=403, admin__POST=403),
    "network:tie_remove": allowed(CONTRIBUTE, post=302),
    "network:exchange": allowed(MANAGE),
    "network:import": allowed(MANAGE),
    "network:import_template": allowed(MANAGE),
    "network:export_nodes_csv": allowed(MANAGE),
    "network:export_edges_csv": allowed(MANAGE),
    "network:export_graphml": allowed(MANAGE),
    "network:export_gexf": allowed(MANAGE),
    "network:export_json": allowed(MANAGE),
    "network:waves": allowed(VIEW, observer__POST=403, ally__POST=403, member__POST=403),
    "network:wave_compare": allowed(VIEW),
    "network:wave_detail": allowed(VIEW),
    "network:wave_edit": allowed(MANAGE),
    # Answering is for an organization one belongs to: the administrator belongs to none.
    "network:wave_answer": allowed(CONTRIBUTE, post=302, admin=403),
    "network:wave_ties": post_only(MANAGE, 302),
    "network:stakeholders": allowed(CONTRIBUTE),
    "network:stakeholder_edit": allowed(CONTRIBUTE),
    "network:stakeholder_remove": allowed(CONTRIBUTE, post=302),
    "network:allies": allowed(VIEW),
    # No organization named: refused with a message and sent back (302).
    "network:ally_dismiss": post_only(CONTRIBUTE, 302),
    "network:ally_restore": post_only(CONTRIBUTE, 302),
    "network:asks": allowed(ASKS, admin__POST=403),
    "network:ask_detail": allowed(ASKS, admin__POST=403),
    # The ask is the other organization's: its people or managers decide.
    "network:ask_close": post_only(ASKS, 302, member__POST=403, ally__POST=403),
    "network:answer_accept": post_only(ASKS, 302, member__POST=403, ally__POST=403),
    "network:answer_decline": post_only(ASKS, 302, member__POST=403, ally__POST=403),
}

BASE = "/api/v1/communities/{slug}/network"
API: dict[str, dict] = {
    # The walk names organization 1 at both ends: a self-tie (400) whoever records it.
    f"{BASE}/ties": api_operation(GET=signed_in(VIEW, 200), POST=signed_in(CONTRIBUTE, 400)),
    f"{BASE}/ties/{{pk}}": api_operation(GET=signed_in(VIEW, 200), DELETE=signed_in(CONTRIBUTE, 204)),
    f"{BASE}/ties/{{pk}}/confirm": api_operation(POST=signed_in(CONTRIBUTE, 200, convener=403, admin=403)),
    f"{BASE}/ties/{{pk}}/decline": api_operation(POST=signed_in(CONTRIBUTE, 200, convener=403, admin=403)),
    f"{BASE}/metrics": api_operation(GET=signed_in(VIEW, 200)),
    f"{BASE}/surveys": api_operation(GET=signed_in(VIEW, 200)),
    f"{BASE}/surveys/{{pk}}/scores": api_operation(GET=signed_in(VIEW, 200)),
    f"{BASE}/stakeholders": api_operation(GET=signed_in(CONTRIBUTE, 200), POST=signed_in(CONTRIBUTE, 201)),
    # The administrator belongs to no organization to post for (400).
    f"{BASE}/asks": api_operation(GET=signed_in(ASKS, 200), POST=signed_in(ASKS, 201, admin=400)),
    # The convener's organization has answered already (400); the administrator has none (403).
    f"{BASE}/asks/{{pk}}/answers": api_operation(POST=signed_in(ASKS, 201, convener=400, admin=403)),
    f"{BASE}/answers/{{pk}}/accept": api_operation(POST=signed_in(ASKS, 200, member=403, ally=403)),
}

EXPECTATIONS: dict[str, dict] = {**PAGES, **API}
