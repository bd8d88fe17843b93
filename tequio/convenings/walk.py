"""What the URL walk needs from this app: one object per URL argument, and who may open what.

``url_walk_objects`` gives the walk's world one of each object (a convening ahead with
a session, a topic, a role, an attendance, a report with a connection and an action
item, an open questionnaire with a question, a calendar link), in the cast community
and in the other one. ``EXPECTATIONS`` is the manifest's ``url_expectations``: for every route and API
operation, the status each persona gets, as the permission rules in
``permissions.ACTIONS`` imply (see ``docs/convenings.md``).
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from tequio.core.models import Membership, Organization, Person
from tequio.testing.walkrules import (
    allowed,
    api_operation,
    post_only,
    signed_in,
)


def url_walk_objects(*, community, actor) -> dict:
    """One of each object this app's URLs name, in ``community``, written by ``actor``.

    The member's person (or, in the other community, a person without an account)
    holds the role and the action item, and proposed the topic; a calendar link of
    ``actor`` and the convening's check-in token fill the ``token`` arguments.
    """
    from tequio.core import services as core_services

    from . import services

    member = Membership.objects.active().filter(community=community, role="member").select_related("person__user").first()
    person = member.person if member else Person.objects.active().filter(community=community, user__isnull=True).first()
    organizations = list(Organization.objects.active().filter(community=community)
                         .exclude(pk=community.convener_organization_id or 0).order_by("pk")[:2])
    while len(organizations) < 2:
        organizations.append(core_services.organization_create(actor=actor, community=community,
                                                               name=f"Walk organization {len(organizations)}"))
    start = timezone.now() + timedelta(days=7)
    convening = services.convening_create(actor=actor, community=community, title="Walk convening", starts_at=start,
                                          ends_at=start + timedelta(hours=6))
    session = services.session_create(actor=actor, convening=convening, title="Walk session")
    item = services.agenda_item_propose(actor=person.user or actor, convening=convening, title="Walk topic")
    role = services.role_assign(actor=actor, convening=convening, role="facilitator", person=person)
    attendance = services.attendance_record(actor=actor, convening=convening, person=person)
    services.report_save(actor=actor, convening=convening, publish=True, insights="Walk insight")
    connection = services.connection_add(actor=actor, convening=convening, organization_a=organizations[0],
                                         organization_b=organizations[1])
    action_item = services.action_item_create(actor=actor, convening=convening, title="Walk action", owner=person)
    questionnaire = services.questionnaire_create(actor=actor, community=community, title="Walk poll", convening=convening)
    question = services.question_add(actor=actor, questionnaire=questionnaire, kind="short_text", text="Walk question?")
    services.questionnaire_set_status(actor=actor, questionnaire=questionnaire, status="open")
    _feed, calendar_token = services.calendar_feed_create(actor=actor, community=community, kind="community")
    return {
        "convening": convening, "session": session, "agenda_item": item, "role_assignment": role,
        "attendance": attendance, "connection": connection, "action_item": action_item,
        "questionnaire": questionnaire, "question": question,
        "convenings:checkin.token": convening.checkin_token,
        "convenings:calendar_feed.token": calendar_token,
    }


# --- expectations ------------------------------------------------------------------------------
# Keys read as in ``tequio.testing.urlwalk.parse_manifest_expectations``: "persona[:METHOD][@privacy]",
# the most specific key wins. The walk posts empty forms: a form page answers them with its errors (200).

HIDDEN_FROM_OUTSIDERS = {"anonymous@private": 404, "outsider@private": 404}
VIEW = {**HIDDEN_FROM_OUTSIDERS}
LEARN = {**HIDDEN_FROM_OUTSIDERS, "anonymous@public": 403, "outsider@public": 403}
PARTICIPATE = {**LEARN, "observer": 403}
CONTRIBUTE = {**PARTICIPATE, "ally": 403}
MANAGE = {**CONTRIBUTE, "member": 403}
# Reports: stewards, conveners and the rapporteur; the walk's member holds no such role.
WRITER = MANAGE


PAGES: dict[str, dict] = {
    "convenings:convening_list": allowed(VIEW),
    "convenings:convening_create": allowed(MANAGE),
    "convenings:timeline": allowed(VIEW),
    "convenings:lessons": allowed(LEARN),
    "convenings:settings": allowed(MANAGE),
    "convenings:calendar": allowed(LEARN),
    # Only a public community publishes its calendar without a token.
    "convenings:calendar_public": {"*": 404, "*@public": 200},
    # The token is the credential (calendar apps cannot sign in): whoever holds the link reads the feed.
    "convenings:calendar_feed": {"*": 200},
    "convenings:convening_detail": allowed(VIEW),
    "convenings:convening_edit": allowed(MANAGE),
    "convenings:convening_remove": allowed(MANAGE, post=302),
    "convenings:session_create": allowed(MANAGE),
    "convenings:session_edit": allowed(MANAGE),
    "convenings:session_remove": allowed(MANAGE, post=302),
    # Everyone who sees the convening reads its agenda; contributors propose topics.
    "convenings:agenda": allowed(VIEW, observer__POST=403, ally__POST=403, **{"anonymous__POST@public": 403,
                                                                                 "outsider__POST@public": 403}),
    "convenings:agenda_ranking": allowed(VIEW),
    "convenings:agenda_schedule": allowed(MANAGE),
    "convenings:agenda_close": post_only(MANAGE, 302),
    "convenings:agenda_vote": post_only(CONTRIBUTE, 302),
    # The walk's topic was proposed by the member.
    "convenings:agenda_item_edit": allowed(CONTRIBUTE),
    "convenings:agenda_item_remove": allowed(CONTRIBUTE, post=302),
    "convenings:roles": allowed(PARTICIPATE, ally__POST=403, member__POST=403),
    # The platform administrator has no person in the community to mark unavailable.
    "convenings:role_unavailable": {**post_only(PARTICIPATE, 302), "admin:POST": 403},
    "convenings:role_free": post_only(MANAGE, 302),
    "convenings:attendance": allowed(LEARN, observer__POST=403, ally__POST=403, member__POST=403),
    "convenings:attendance_remove": post_only(MANAGE, 302),
    # Signing in comes first; a week before the convening, checking in is refused with a message (200).
    "convenings:checkin": {**allowed(PARTICIPATE), "anonymous@private": "L", "anonymous@public": "L"},
    "convenings:report": allowed(LEARN),
    "convenings:report_edit": allowed(WRITER),
    "convenings:connection_add": post_only(WRITER, 302),
    "convenings:connection_remove": post_only(WRITER, 302),
    "convenings:action_item_create": allowed(WRITER),
    # The member owns the walk's action item, so may update it.
    "convenings:action_item_edit": allowed(CONTRIBUTE),
    "convenings:aar": allowed(LEARN, observer__POST=403),
    "convenings:questionnaire_list": allowed(LEARN),
    "convenings:questionnaire_create": allowed(MANAGE),
    "convenings:questionnaire_import": allowed(MANAGE),
    "convenings:questionnaire_detail": allowed(MANAGE),
    "convenings:questionnaire_status": post_only(MANAGE, 302),
    "convenings:question_add": allowed(MANAGE),
    "convenings:question_edit": allowed(MANAGE),
    "convenings:question_remove": post_only(MANAGE, 302),
    "convenings:questionnaire_answer": allowed(PARTICIPATE),
    "convenings:questionnaire_results": allowed(LEARN),
    "convenings:questionnaire_export_csv": allowed(MANAGE),
    "convenings:questionnaire_export_xlsx": allowed(MANAGE),
}

BASE = "/api/v1/communities/{slug}"
CONVENING = f"{BASE}/convenings/{{convening_id}}"
API: dict[str, dict] = {
    f"{BASE}/convenings": api_operation(GET=allowed(VIEW), POST=signed_in(MANAGE, 201)),
    CONVENING: api_operation(GET=allowed(VIEW), PATCH=signed_in(MANAGE, 200)),
    f"{CONVENING}/agenda": api_operation(GET=allowed(VIEW), POST=signed_in(CONTRIBUTE, 201)),
    # The convener and the administrator speak for no member organization: no votes to spend (400).
    f"{CONVENING}/agenda/{{agenda_item_id}}/votes": api_operation(POST=signed_in(CONTRIBUTE, 200, convener=400, admin=400)),
    # The walk frees the facilitator role (no person given).
    f"{CONVENING}/roles": api_operation(GET=allowed(VIEW), PUT=signed_in(MANAGE, 200)),
    f"{CONVENING}/roles/suggestions": api_operation(GET=signed_in(MANAGE, 200)),
    # Without a person the caller records themself; the administrator has no person here (400).
    f"{CONVENING}/attendance": api_operation(GET=signed_in(LEARN, 200), POST=signed_in(MANAGE, 201, admin=400)),
    f"{CONVENING}/report": api_operation(GET=signed_in(LEARN, 200), PUT=signed_in(WRITER, 200)),
    # The walk names organization 1 twice: never a valid pair (400).
    f"{CONVENING}/connections": api_operation(GET=signed_in(LEARN, 200), POST=signed_in(WRITER, 400)),
    f"{CONVENING}/action-items": api_operation(GET=signed_in(LEARN, 200), POST=signed_in(WRITER, 201)),
    f"{BASE}/action-items/{{action_item_id}}": api_operation(PATCH=signed_in(CONTRIBUTE, 200)),
    f"{BASE}/questionnaires": api_operation(GET=signed_in(LEARN, 200)),
    f"{BASE}/questionnaires/{{questionnaire_id}}": api_operation(GET=signed_in(LEARN, 200)),
    # The walk's answer is empty: refused (400).
    f"{BASE}/questionnaires/{{questionnaire_id}}/responses": api_operation(POST=signed_in(PARTICIPATE, 400),
                                                                            GET=signed_in(MANAGE, 200)),
    f"{BASE}/questionnaires/{{questionnaire_id}}/results": api_operation(GET=signed_in(LEARN, 200)),
}

EXPECTATIONS: dict[str, dict] = {**PAGES, **API}
