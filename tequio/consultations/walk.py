"""What the URL walk needs from this app: one object per URL argument, and who may open what.

``url_walk_objects`` gives the walk's world an open consultation (people without an
account may join it by link), one of its statements, an invitation link and the code in
it, with a vote and a computed opinion map, in the cast community and in the other one.
``EXPECTATIONS`` is the manifest's ``url_expectations``: for every route and API
operation, the status each persona gets, as ``permissions.ACTIONS`` imply.
"""

from __future__ import annotations

from tequio.testing.walkrules import (
    allowed,
    api_operation,
    post_only,
    signed_in,
)


def url_walk_objects(*, community, actor) -> dict:
    """One of each object this app's URLs name, in ``community``, written by ``actor``."""
    from . import services
    from .models import Audience, ConsultationState

    consultation = services.consultation_create(
        actor=actor, community=community, question="Walk question?", audience=Audience.INVITED,
        state=ConsultationState.OPEN, seed_statements=["Walk statement one", "Walk statement two"],
    )
    statement = consultation.statements.order_by("number").first()
    services.vote_cast(actor=actor, consultation=consultation, statement_id=statement.pk, value="agree")
    services.analysis_compute(consultation_id=consultation.pk, force=True)
    link, code = services.invitation_link_create(actor=actor, consultation=consultation, max_uses=1000, label="Walk")
    return {
        "consultation": consultation, "statement": statement, "link": link,
        "consultations:join_link.code": services.format_code(code),
    }


# --- expectations ------------------------------------------------------------------------------
# Keys read as in ``tequio.testing.urlwalk.parse_manifest_expectations``: "persona[:METHOD][@privacy]",
# the most specific key wins. The walk posts empty forms: a form page answers them with its errors (200).

HIDDEN_FROM_OUTSIDERS = {"anonymous@private": 404, "outsider@private": 404}
VIEW = dict(HIDDEN_FROM_OUTSIDERS)
PARTICIPATE = {**HIDDEN_FROM_OUTSIDERS, "anonymous@public": 403, "outsider@public": 403, "observer": 403}
MANAGE = {**PARTICIPATE, "ally": 403, "member": 403}


PAGES: dict[str, dict] = {
    "consultations:consultation_list": allowed(VIEW),
    "consultations:consultation_create": allowed(MANAGE),
    # The code form answers alike for any address; it reveals nothing until a valid code is typed.
    "consultations:join": {"*": 200},
    # The code in the link is the credential: whoever holds it may read it and join (members just continue).
    "consultations:join_link": {"*": 200, "*:POST": 302},
    "consultations:consultation_detail": allowed(VIEW),
    "consultations:consultation_edit": allowed(MANAGE),
    "consultations:consultation_state": post_only(MANAGE, 302),
    "consultations:vote": allowed(PARTICIPATE),
    "consultations:statement_create": allowed(PARTICIPATE),
    "consultations:moderation": allowed(MANAGE),
    "consultations:statement_moderate": post_only(MANAGE, 302),
    "consultations:results": allowed(VIEW),
    "consultations:report": allowed(VIEW),
    "consultations:analysis_refresh": post_only(MANAGE, 302),
    "consultations:invitations": allowed(MANAGE),
    "consultations:link_revoke": post_only(MANAGE, 302),
}

BASE = "/api/v1/communities/{slug}/consultations"
CONSULTATION = f"{BASE}/{{consultation_id}}"
STATEMENT = f"{CONSULTATION}/statements/{{statement_id}}"
API: dict[str, dict] = {
    BASE: api_operation(GET=allowed(VIEW), POST=signed_in(MANAGE, 201)),
    CONSULTATION: api_operation(GET=allowed(VIEW)),
    f"{CONSULTATION}/statements": api_operation(GET=allowed(VIEW), POST=signed_in(PARTICIPATE, 201)),
    STATEMENT: api_operation(PATCH=signed_in(MANAGE, 200)),
    f"{STATEMENT}/vote": api_operation(POST=signed_in(PARTICIPATE, 200)),
    f"{CONSULTATION}/results": api_operation(GET=allowed(VIEW)),
}

EXPECTATIONS: dict[str, dict] = {**PAGES, **API}
