"""The URL walk: every route of the project, with every persona, against one table.

Every URL pattern (core, capability apps, allauth, i18n, admin) and every API
operation of the OpenAPI schema is requested by each persona of the cast, GET and
POST, with its URL arguments filled from the cast community. The status must be
the one written in ``TABLE`` below (or in a capability manifest's
``url_expectations``). A route without an expectation fails the walk, so a new
route cannot ship without someone deciding who may open it.

Reading the table: one row per route, method and privacy of the community; one
status per persona, in the order of ``PERSONAS``. ``L`` is a redirect to a sign-in
page; any other 302 is a redirect that is not to a sign-in page. Privacy is ``*``
(all three), ``public``, ``listed``, ``hidden``, ``private`` (listed and hidden) or
a comma-separated list. A page route without a POST row must answer POST as it
answers GET. Admin routes follow ``admin_expectation`` (staff only) unless a row
says otherwise; they are walked with GET.

Every request runs inside a savepoint that is rolled back, so each starts from the
same data. The walk is repeated with another community's ids under the cast's
slug: whatever works with the community's own ids must then answer 404, and what
was refused must stay refused.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlparse

from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from tequio.core import choices, registry, services
from tequio.core.models import Membership

from .personas import PERSONAS, Cast, build_cast

PRIVACIES = ("public", "listed", "hidden")
DENIALS = frozenset({401, 403, 404, 405, "L"})
LOGIN = "L"

# Columns: anonymous outsider observer ally member steward convener admin.
TABLE = """
# --- the directory, the account pages of Tequio, invitations ----------------------------------
core:home                 GET   *        200 200 200 200 200 200 200 200
core:healthz              GET   *        200 200 200 200 200 200 200 200
core:community_create     GET   *        L   200 200 200 200 200 200 200
core:api_tokens           GET   *        L   200 200 200 200 200 200 200
core:api_token_revoke     GET   *        L   405 405 405 405 405 405 405
# Only the member owns the walk's token: for everyone else it does not exist.
core:api_token_revoke     POST  *        L   404 404 404 302 404 404 404
# The invitation link is the capability: anyone holding it may read and accept it.
# Members already in the community are sent back with a message.
core:invitation_accept    GET   *        200 200 200 200 200 200 200 200
core:invitation_accept    POST  *        200 302 302 302 302 302 302 302

# --- a community: who may read ------------------------------------------------------------------
core:community_home       GET   private  404 404 200 200 200 200 200 200
core:community_home       GET   public   200 200 200 200 200 200 200 200
core:goals                GET   private  404 404 200 200 200 200 200 200
core:goals                GET   public   200 200 200 200 200 200 200 200
core:charter              GET   private  404 404 200 200 200 200 200 200
core:charter              GET   public   200 200 200 200 200 200 200 200
core:charter_version      GET   private  404 404 200 200 200 200 200 200
core:charter_version      GET   public   200 200 200 200 200 200 200 200
core:organizations        GET   private  404 404 200 200 200 200 200 200
core:organizations        GET   public   200 200 200 200 200 200 200 200
core:organization_detail  GET   private  404 404 200 200 200 200 200 200
core:organization_detail  GET   public   200 200 200 200 200 200 200 200
# People are never public, and observers (funders) see counts, not people.
core:people               GET   private  404 404 403 200 200 200 200 200
core:people               GET   public   403 403 403 200 200 200 200 200
core:person_detail        GET   private  404 404 403 200 200 200 200 200
core:person_detail        GET   public   403 403 403 200 200 200 200 200
core:peer_groups          GET   private  404 404 403 200 200 200 200 200
core:peer_groups          GET   public   403 403 403 200 200 200 200 200
core:members              GET   private  404 404 403 200 200 200 200 200
core:members              GET   public   403 403 403 200 200 200 200 200
core:audit                GET   private  404 404 403 403 403 200 200 200
core:audit                GET   public   403 403 403 403 403 200 200 200

# --- a community: who may write -----------------------------------------------------------------
# Empty forms: editors see the form again with its errors (200), nothing is written.
core:goals                POST  private  404 404 403 403 403 200 200 200
core:goals                POST  public   403 403 403 403 403 200 200 200
core:community_edit       GET   private  404 404 403 403 403 200 200 200
core:community_edit       GET   public   403 403 403 403 403 200 200 200
core:goal_edit            GET   private  404 404 403 403 403 200 200 200
core:goal_edit            GET   public   403 403 403 403 403 200 200 200
core:goal_remove          GET   private  404 404 403 403 403 200 200 200
core:goal_remove          GET   public   403 403 403 403 403 200 200 200
core:goal_remove          POST  private  404 404 403 403 403 302 302 302
core:goal_remove          POST  public   403 403 403 403 403 302 302 302
core:charter_adopt        GET   private  404 404 403 403 403 200 200 200
core:charter_adopt        GET   public   403 403 403 403 403 200 200 200
core:peer_groups          POST  private  404 404 403 403 403 200 200 200
core:peer_groups          POST  public   403 403 403 403 403 200 200 200
core:peer_group_edit      GET   private  404 404 403 403 403 200 200 200
core:peer_group_edit      GET   public   403 403 403 403 403 200 200 200
core:peer_group_remove    GET   private  404 404 403 403 403 200 200 200
core:peer_group_remove    GET   public   403 403 403 403 403 200 200 200
core:peer_group_remove    POST  private  404 404 403 403 403 302 302 302
core:peer_group_remove    POST  public   403 403 403 403 403 302 302 302
core:organization_create  GET   private  404 404 403 403 200 200 200 200
core:organization_create  GET   public   403 403 403 403 200 200 200 200
core:organization_edit    GET   private  404 404 403 403 200 200 200 200
core:organization_edit    GET   public   403 403 403 403 200 200 200 200
core:organization_remove  GET   private  404 404 403 403 200 200 200 200
core:organization_remove  GET   public   403 403 403 403 200 200 200 200
core:organization_remove  POST  private  404 404 403 403 302 302 302 302
core:organization_remove  POST  public   403 403 403 403 302 302 302 302
core:person_create        GET   private  404 404 403 403 200 200 200 200
core:person_create        GET   public   403 403 403 403 200 200 200 200
# The walk's person is the member's own record: they may edit it, allies may not.
core:person_edit          GET   private  404 404 403 403 200 200 200 200
core:person_edit          GET   public   403 403 403 403 200 200 200 200
core:person_remove        GET   private  404 404 403 403 200 200 200 200
core:person_remove        GET   public   403 403 403 403 200 200 200 200
core:person_remove        POST  private  404 404 403 403 302 302 302 302
core:person_remove        POST  public   403 403 403 403 302 302 302 302
core:affiliation_add      GET   *        405 405 405 405 405 405 405 405
core:affiliation_add      POST  private  404 404 403 403 200 200 200 200
core:affiliation_add      POST  public   403 403 403 403 200 200 200 200
core:affiliation_remove   GET   *        405 405 405 405 405 405 405 405
core:affiliation_remove   POST  private  404 404 403 403 302 302 302 302
core:affiliation_remove   POST  public   403 403 403 403 302 302 302 302
core:member_role          GET   *        405 405 405 405 405 405 405 405
core:member_role          POST  private  404 404 403 403 403 302 302 302
core:member_role          POST  public   403 403 403 403 403 302 302 302
core:member_remove        GET   private  404 404 403 403 403 200 200 200
core:member_remove        GET   public   403 403 403 403 403 200 200 200
core:member_remove        POST  private  404 404 403 403 403 302 302 302
core:member_remove        POST  public   403 403 403 403 403 302 302 302
core:invitations          GET   private  404 404 403 403 403 200 200 200
core:invitations          GET   public   403 403 403 403 403 200 200 200
core:invitation_revoke    GET   *        405 405 405 405 405 405 405 405
core:invitation_revoke    POST  private  404 404 403 403 403 302 302 302
core:invitation_revoke    POST  public   403 403 403 403 403 302 302 302
# Spreadsheets and the full export hold the registry and its people: stewards and conveners.
core:import               GET   private  404 404 403 403 403 200 200 200
core:import               GET   public   403 403 403 403 403 200 200 200
core:export               GET   private  404 404 403 403 403 200 200 200
core:export               GET   public   403 403 403 403 403 200 200 200
# Only members can leave; the platform administrator is not one.
core:community_leave      GET   private  404 404 200 200 200 200 200 403
core:community_leave      GET   public   403 403 200 200 200 200 200 403
core:community_leave      POST  private  404 404 302 302 302 302 302 403
core:community_leave      POST  public   403 403 302 302 302 302 302 403

# --- the JSON API -------------------------------------------------------------------------------
api:api-root              GET   *        404 404 404 404 404 404 404 404
api:openapi-json          GET   *        200 200 200 200 200 200 200 200
api:openapi-view          GET   *        200 200 200 200 200 200 200 200
# Same rules as the pages. Writes need credentials (401 without); the walk sends a body
# that satisfies the operation's schema, so allowed writes succeed.
/api/v1/communities                                GET     *        200 200 200 200 200 200 200 200
/api/v1/communities                                POST    *        401 201 201 201 201 201 201 201
/api/v1/communities/{slug}                         GET     private  404 404 200 200 200 200 200 200
/api/v1/communities/{slug}                         GET     public   200 200 200 200 200 200 200 200
/api/v1/communities/{slug}                         PATCH   private  401 404 403 403 403 200 200 200
/api/v1/communities/{slug}                         PATCH   public   401 403 403 403 403 200 200 200
/api/v1/communities/{slug}/organizations           GET     private  404 404 200 200 200 200 200 200
/api/v1/communities/{slug}/organizations           GET     public   200 200 200 200 200 200 200 200
/api/v1/communities/{slug}/organizations           POST    private  401 404 403 403 201 201 201 201
/api/v1/communities/{slug}/organizations           POST    public   401 403 403 403 201 201 201 201
/api/v1/communities/{slug}/organizations/{pk}      GET     private  404 404 200 200 200 200 200 200
/api/v1/communities/{slug}/organizations/{pk}      GET     public   200 200 200 200 200 200 200 200
/api/v1/communities/{slug}/organizations/{pk}      PATCH   private  401 404 403 403 200 200 200 200
/api/v1/communities/{slug}/organizations/{pk}      PATCH   public   401 403 403 403 200 200 200 200
/api/v1/communities/{slug}/organizations/{pk}      DELETE  private  401 404 403 403 204 204 204 204
/api/v1/communities/{slug}/organizations/{pk}      DELETE  public   401 403 403 403 204 204 204 204
/api/v1/communities/{slug}/people                  GET     private  404 404 403 200 200 200 200 200
/api/v1/communities/{slug}/people                  GET     public   403 403 403 200 200 200 200 200
/api/v1/communities/{slug}/people                  POST    private  401 404 403 403 201 201 201 201
/api/v1/communities/{slug}/people                  POST    public   401 403 403 403 201 201 201 201
/api/v1/communities/{slug}/people/{pk}             GET     private  404 404 403 200 200 200 200 200
/api/v1/communities/{slug}/people/{pk}             GET     public   403 403 403 200 200 200 200 200
/api/v1/communities/{slug}/people/{pk}             PATCH   private  401 404 403 403 200 200 200 200
/api/v1/communities/{slug}/people/{pk}             PATCH   public   401 403 403 403 200 200 200 200
/api/v1/communities/{slug}/people/{pk}             DELETE  private  401 404 403 403 204 204 204 204
/api/v1/communities/{slug}/people/{pk}             DELETE  public   401 403 403 403 204 204 204 204
/api/v1/communities/{slug}/memberships             GET     private  404 404 403 200 200 200 200 200
/api/v1/communities/{slug}/memberships             GET     public   403 403 403 200 200 200 200 200
/api/v1/communities/{slug}/memberships/{pk}        PATCH   private  401 404 403 403 403 200 200 200
/api/v1/communities/{slug}/memberships/{pk}        PATCH   public   401 403 403 403 403 200 200 200
/api/v1/communities/{slug}/goals                   GET     private  404 404 200 200 200 200 200 200
/api/v1/communities/{slug}/goals                   GET     public   200 200 200 200 200 200 200 200
/api/v1/communities/{slug}/goals                   POST    private  401 404 403 403 403 201 201 201
/api/v1/communities/{slug}/goals                   POST    public   401 403 403 403 403 201 201 201
/api/v1/communities/{slug}/goals/{pk}              PATCH   private  401 404 403 403 403 200 200 200
/api/v1/communities/{slug}/goals/{pk}              PATCH   public   401 403 403 403 403 200 200 200
/api/v1/communities/{slug}/goals/{pk}              DELETE  private  401 404 403 403 403 204 204 204
/api/v1/communities/{slug}/goals/{pk}              DELETE  public   401 403 403 403 403 204 204 204

# --- languages ----------------------------------------------------------------------------------
set_language              GET   *        302 302 302 302 302 302 302 302
javascript-catalog        GET   *        200 200 200 200 200 200 200 200
javascript-catalog        POST  *        405 405 405 405 405 405 405 405

# --- accounts (django-allauth, as it behaves) ---------------------------------------------------
# Signed-in people are sent on from the sign-in and sign-up pages. Pages that change
# credentials first ask to reauthenticate (302): the walk signs in without a password.
# Pages of an authenticator nobody has (TOTP, recovery codes) do not exist (404).
account_login                          GET   *  200 302 302 302 302 302 302 302
account_logout                         GET   *  302 200 200 200 200 200 200 200
account_logout                         POST  *  302 302 302 302 302 302 302 302
account_inactive                       GET   *  200 200 200 200 200 200 200 200
account_inactive                       POST  *  405 405 405 405 405 405 405 405
account_signup                         GET   *  200 302 302 302 302 302 302 302
account_reauthenticate                 GET   *  L   200 200 200 200 200 200 200
account_email                          GET   *  L   200 200 200 200 200 200 200
account_email                          POST  *  L   302 302 302 302 302 302 302
account_email_verification_sent        GET   *  200 200 200 200 200 200 200 200
account_email_verification_sent        POST  *  405 405 405 405 405 405 405 405
account_change_password                GET   *  L   200 200 200 200 200 200 200
account_set_password                   GET   *  L   302 302 302 302 302 302 302
account_reset_password                 GET   *  200 200 200 200 200 200 200 200
account_confirm_login_code             GET   *  L   302 302 302 302 302 302 302
account_confirm_email                  GET   *  200 200 200 200 200 200 200 200
account_confirm_email                  POST  *  404 404 404 404 404 404 404 404
account_reset_password_from_key        GET   *  200 200 200 200 200 200 200 200
account_reset_password_from_key_done   GET   *  200 200 200 200 200 200 200 200
account_reset_password_from_key_done   POST  *  405 405 405 405 405 405 405 405
account_reset_password_done            GET   *  200 200 200 200 200 200 200 200
account_reset_password_done            POST  *  405 405 405 405 405 405 405 405
mfa_index                              GET   *  L   200 200 200 200 200 200 200
mfa_index                              POST  *  L   405 405 405 405 405 405 405
mfa_authenticate                       GET   *  L   302 302 302 302 302 302 302
mfa_reauthenticate                     GET   *  L   302 302 302 302 302 302 302
mfa_activate_totp                      GET   *  L   302 302 302 302 302 302 302
mfa_deactivate_totp                    GET   *  L   404 404 404 404 404 404 404
mfa_view_recovery_codes                GET   *  L   404 404 404 404 404 404 404
mfa_view_recovery_codes                POST  *  L   405 405 405 405 405 405 405
mfa_generate_recovery_codes            GET   *  L   302 302 302 302 302 302 302
mfa_download_recovery_codes            GET   *  L   404 404 404 404 404 404 404

# --- the admin site: exceptions to admin_expectation (staff only) --------------------------------
admin:login                            GET   *  200 200 200 200 200 200 200 302
admin:logout                           GET   *  302 302 302 302 302 302 302 405
admin:autocomplete                     GET   *  L   L   L   L   L   L   L   403
admin:view_on_site                     GET   *  L   L   L   L   L   L   L   404
admin/(?P<url>.*)$                     GET   *  L   L   L   L   L   L   L   404
# Append-only or read-only for everyone, administrators included.
admin:core_auditevent_add              GET   *  L   L   L   L   L   L   L   403
admin:core_auditevent_delete           GET   *  L   L   L   L   L   L   L   403
admin:django_tasks_database_dbtaskresult_add     GET  *  L   L   L   L   L   L   L   403
admin:django_tasks_database_dbtaskresult_delete  GET  *  L   L   L   L   L   L   L   403
"""


@dataclass(frozen=True)
class Route:
    """One URL pattern, with the chain of patterns that leads to it."""

    route: str  # as Django joins it, e.g. "c/<slug:slug>/goals/<int:pk>/edit/"
    name: str | None  # namespaced, e.g. "core:goal_edit"
    patterns: tuple = field(repr=False, default=())

    @property
    def key(self) -> str:
        return self.name or self.route

    @property
    def kwargs(self) -> list[str]:
        names: list[str] = []
        for pattern in self.patterns:
            names += list(pattern.pattern.regex.groupindex)
        return names

    @property
    def is_admin(self) -> bool:
        return self.route.startswith("admin/")

    @property
    def api_path(self) -> str | None:
        """The OpenAPI path of an API operation (ninja names its patterns after the operation)."""
        if not (self.name or "").startswith("api:") or self.name in NON_OPERATION_API_NAMES:
            return None
        return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", self.route)


# The API's own pages, not operations of its schema.
NON_OPERATION_API_NAMES = {"api:api-root", "api:openapi-json", "api:openapi-view"}


def routes() -> list[Route]:
    """Every URL pattern of the project, depth first, in resolver order."""

    def walk(resolver: URLResolver, prefix: str, namespace: str | None, chain: tuple) -> Iterator[Route]:
        for item in resolver.url_patterns:
            text = str(item.pattern)
            joined = prefix + (text.removeprefix("^") if prefix else text)
            if isinstance(item, URLResolver):
                inner = namespace
                if item.namespace:
                    inner = f"{namespace}:{item.namespace}" if namespace else item.namespace
                yield from walk(item, joined, inner, (*chain, item))
            elif isinstance(item, URLPattern):
                name = f"{namespace}:{item.name}" if namespace and item.name else item.name
                yield Route(route=joined, name=name, patterns=(*chain, item))

    return list(walk(get_resolver(), "", None, ()))


def api_operations() -> list[tuple[str, str, dict]]:
    """(path, METHOD, operation) of every operation in the OpenAPI schema."""
    from tequio.api import api

    schema = api.get_openapi_schema()
    return [
        (path, method.upper(), operation)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]


# --- the table ---------------------------------------------------------------------------------

Expectations = dict[tuple[str, str], dict[str, dict[str, Any]]]  # (key, METHOD) -> privacy -> persona -> status


def _privacies(text: str) -> tuple[str, ...]:
    if text == "*":
        return PRIVACIES
    if text == "private":
        return ("listed", "hidden")
    values = tuple(text.split(","))
    unknown = set(values) - set(PRIVACIES)
    if unknown:
        raise ValueError(f"Unknown privacy {unknown} in the URL-walk table")
    return values


def _status(text: str):
    return LOGIN if text == LOGIN else int(text)


def parse_table(text: str) -> Expectations:
    table: Expectations = {}
    seen: set[tuple[str, str, str]] = set()
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        # API paths hold no spaces; every other key is a URL name or a route.
        key, method, privacy, statuses = parts[0], parts[1], parts[2], parts[3:]
        if len(statuses) != len(PERSONAS):
            raise ValueError(f"URL-walk row needs {len(PERSONAS)} statuses: {line}")
        for value in _privacies(privacy):
            if (key, method, value) in seen:
                raise ValueError(f"URL-walk row repeated for {key} {method} {value}")
            seen.add((key, method, value))
            table.setdefault((key, method), {})[value] = dict(zip(PERSONAS, map(_status, statuses), strict=True))
    return table


def parse_manifest_expectations(url_name: str, rules: dict[str, int | str]) -> Expectations:
    """A capability's ``url_expectations``: ``{"persona[:METHOD][@privacy]": status}``.

    ``"*"`` stands for every persona; a key without a method holds for GET and POST
    (and any method named elsewhere), one without a privacy for all three. The most
    specific key wins, so ``{"*": 404, "member": 200, "member:POST@public": 403}``
    reads naturally.
    """
    parsed = []
    for key, status in rules.items():
        rest, _sep, privacy = key.partition("@")
        persona, _sep, method = rest.partition(":")
        if persona != "*" and persona not in PERSONAS:
            raise ValueError(f"Unknown persona {persona!r} in url_expectations of {url_name}")
        parsed.append((persona, method.upper(), _privacies(privacy or "*"), bool(privacy), _status(str(status))))
    methods = {"GET", "POST"} | {method for _p, method, _v, _x, _s in parsed if method}
    table: Expectations = {}
    for method in sorted(methods):
        for privacy in PRIVACIES:
            statuses = {}
            for persona in PERSONAS:
                matching = [
                    ((name != "*") * 4 + bool(verb) * 2 + explicit, status)
                    for name, verb, privacies, explicit, status in parsed
                    if name in ("*", persona) and verb in ("", method) and privacy in privacies
                ]
                if not matching:
                    raise ValueError(f"url_expectations of {url_name} miss {persona} {method} {privacy}")
                statuses[persona] = max(matching, key=lambda item: item[0])[1]
            table.setdefault((url_name, method), {})[privacy] = statuses
    return table


def expectations() -> Expectations:
    """The core table merged with what each capability's manifest declares."""
    table = parse_table(TABLE)
    for capability in registry.capabilities():
        for url_name, rules in capability.url_expectations.items():
            for key, value in parse_manifest_expectations(url_name, rules).items():
                if key in table:
                    raise ValueError(f"URL-walk expectation for {key} declared twice")
                table[key] = value
    return table


def admin_expectation(route: Route, persona: str, table: Expectations, world: World | None = None) -> Any:
    """Admin pages are for platform administrators; everyone else is sent to sign in."""
    rows = table.get((route.key, "GET"))
    if rows:
        return rows["listed"][persona]
    if persona != "admin":
        return LOGIN
    if route.name is None and route.route.endswith("<path:object_id>/"):
        return 302  # Django's old-style admin address: a redirect to the change page
    if world is not None and "object_id" in route.kwargs and world.admin_object(route) is None:
        return 302  # the admin is sent back to the index with "does not exist"
    return 200


def uncovered_routes(table: Expectations | None = None) -> list[str]:
    """Routes and API operations nobody has written an expectation for."""
    table = table if table is not None else expectations()
    keys = {key for key, _method in table}
    missing = []
    api_paths = {path for path, _method, _op in api_operations()}
    for route in routes():
        if route.is_admin:
            continue  # admin_expectation covers every admin route
        if route.api_path is not None:
            if route.api_path not in api_paths:
                missing.append(f"{route.key} (API pattern not in the OpenAPI schema)")
            continue
        if route.key not in keys:
            missing.append(route.key)
    for path, method, _operation in api_operations():
        if (path, method) not in table:
            missing.append(f"{method} {path}")
    return missing


def stale_expectations(table: Expectations | None = None) -> list[str]:
    """Rows of the table that match no route any more."""
    table = table if table is not None else expectations()
    known = {route.key for route in routes()} | {path for path, _m, _o in api_operations()}
    return sorted({f"{key} {method}" for key, method in table if key not in known})


# --- the world the walk runs in ----------------------------------------------------------------

@dataclass
class World:
    """The cast, plus one of everything a URL can point at, here and in the other community."""

    privacy: str
    cast: Cast
    own: dict[str, Any]
    foreign: dict[str, Any]

    @property
    def slug(self) -> str:
        return self.cast.community.slug

    def admin_object(self, route: Route):
        from django.apps import apps
        from django.contrib import admin

        parts = route.route.split("/")
        if route.name and route.name.startswith("admin:") and not route.route.startswith("admin/r/"):
            app_label, model_name = parts[1], parts[2]
            model = apps.get_model(app_label, model_name)
            if model in admin.site._registry:
                return model._default_manager.order_by("pk").first()
        if route.name is None and len(parts) > 3:
            return apps.get_model(parts[1], parts[2])._default_manager.order_by("pk").first()
        return None


def build_world(privacy: str = choices.Privacy.LISTED) -> World:
    """The cast community with a goal, charter, peer group, invitation and token, and the same
    in the other community, whose ids must never work under the cast's address."""
    from django.contrib.auth.models import Group

    cast = build_cast(privacy=privacy)
    convener = cast.users["convener"]
    community = cast.community
    charter_fields = {
        "roles_responsibilities": "Stewards prepare the sessions.", "leadership_model": choices.LeadershipModel.FIXED,
        "decision_rule": choices.DecisionRule.CONSENSUS, "adopted_on": date(2025, 1, 31), "adopted_how": "Assembly",
    }
    member_membership = Membership.objects.get(community=community, user=cast.users["member"], ended_at__isnull=True)
    invitation, invitation_token = services.invitation_create(
        actor=convener, community=community, email="invitee@walk.test", role=choices.Role.MEMBER
    )
    own = {
        "community": community,
        "organization": cast.organization,
        "person": cast.person,
        "affiliation": cast.person.affiliations.get(organization=cast.organization),
        "goal": services.goal_create(actor=convener, community=community, title="Walk goal"),
        "charter": services.charter_adopt(actor=convener, community=community, **charter_fields),
        "peer_group": services.peer_group_create(actor=convener, community=community, name="Walk group", members=[cast.person]),
        "membership": member_membership,
        "invitation": invitation,
        "api_token": services.api_token_create(actor=cast.users["member"], name="walk")[0],
    }
    other = cast.other_community
    owner = Membership.objects.get(community=other, ended_at__isnull=True).user
    services.charter_adopt(actor=owner, community=other, **charter_fields)
    foreign = {
        "community": other,
        "organization": cast.foreign_organization,
        "person": cast.foreign_person,
        "affiliation": services.affiliation_set(actor=owner, person=cast.foreign_person, organization=cast.foreign_organization),
        "goal": services.goal_create(actor=owner, community=other, title="Foreign goal"),
        # Version 2 exists only in the other community.
        "charter": services.charter_adopt(actor=owner, community=other, **charter_fields),
        "peer_group": services.peer_group_create(actor=owner, community=other, name="Foreign group"),
        "membership": Membership.objects.get(community=other, user=owner),
        "invitation": services.invitation_create(actor=owner, community=other, email="foreign@walk.test")[0],
        "api_token": services.api_token_create(actor=owner, name="foreign")[0],
    }
    own["core:invitation_accept.token"] = invitation_token
    for capability in registry.capabilities():
        if capability.url_walk_objects:
            own.update(capability.url_walk_objects(community=community, actor=convener))
            foreign.update(capability.url_walk_objects(community=other, actor=owner))
    # The admin pages of every registered model need a row to show.
    Group.objects.get_or_create(name="Walk group")
    return World(privacy=privacy, cast=cast, own=own, foreign=foreign)


# Path segment before an id -> the entity it names.
SEGMENT_ENTITIES = {
    "goals": "goal",
    "organizations": "organization",
    "people": "person",
    "peer-groups": "peer_group",
    "members": "membership",
    "memberships": "membership",
    "invitations": "invitation",
    "tokens": "api_token",
    "charter": "charter",
    "affiliations": "affiliation",
}
ENTITY_KWARGS_ALWAYS_OWN = {"slug", "token"}
# URL arguments that are not ids: each sample is walked, against the same expectations.
SAMPLE_KWARGS: dict[str, list[dict[str, str]]] = {
    "core:export": [{"kind": "organizations", "fmt": "csv"}, {"kind": "community", "fmt": "json"}],
}


class UnknownKwarg(LookupError):
    pass


def _singular(segment: str) -> str:
    segment = segment.replace("-", "_")
    if segment.endswith("ies"):
        return segment[:-3] + "y"
    return segment.removesuffix("s")


def kwarg_value(key: str, route_text: str, name: str, world: World, *, foreign: bool,
                admin_route: Route | None = None, sample: dict[str, str] | None = None) -> str:
    """The value of one URL argument, taken from the sample or the world."""
    if sample and name in sample:
        return sample[name]
    objects = world.foreign if foreign and name not in ENTITY_KWARGS_ALWAYS_OWN else world.own
    specific = objects.get(f"{key}.{name}")
    if specific is not None:
        return str(getattr(specific, "pk", specific))
    if name == "slug":
        return world.slug
    if name == "version":
        return str(objects["charter"].version)
    if admin_route is not None:
        if name == "object_id":
            if admin_route.route.startswith("admin/r/"):
                return str(world.own["organization"].pk)
            instance = world.admin_object(admin_route)
            return str(instance.pk) if instance is not None else "0"
        if name == "content_type_id":
            from django.contrib.contenttypes.models import ContentType

            return str(ContentType.objects.get_for_model(world.own["organization"]).pk)
        if name == "id":
            return str(world.cast.users["member"].pk)
        if name == "app_label":
            return "core"
        if name == "url":
            return "walk-unknown/"
    allauth = {"key": "walk-invalid-key", "uidb36": "walk"}
    if name in allauth:
        return allauth[name]
    entity = None
    if name.endswith(("_pk", "_id")):
        entity = name[:-3]
    elif name in {"pk", "id"}:
        segments = [segment for segment in route_text.split("/") if segment]
        for index, segment in enumerate(segments):
            if re.search(rf"[<{{](?:\w+:)?{name}[>}}]", segment) and index:
                previous = segments[index - 1]
                entity = SEGMENT_ENTITIES.get(previous, _singular(previous))
                break
    if entity not in objects:
        raise UnknownKwarg(
            f"The URL walk does not know what {name!r} of {route_text!r} is: give the world one "
            f"{entity or name!r} (a capability's url_walk_objects) or teach tequio.testing.urlwalk."
        )
    value = objects[entity]
    return str(getattr(value, "pk", value))


def samples(key: str) -> list[dict[str, str]]:
    return SAMPLE_KWARGS.get(key, [{}])


def has_entity_kwargs(key: str, names: list[str]) -> bool:
    sampled = {name for sample in samples(key) for name in sample}
    return any(name not in ENTITY_KWARGS_ALWAYS_OWN | sampled for name in names)


def build_path(route: Route, world: World, *, foreign: bool = False, sample: dict[str, str] | None = None) -> str:
    """Fill the route's arguments and check that the path resolves back to the same route."""

    def fill(match: re.Match) -> str:
        return kwarg_value(route.key, route.route, match.group(1), world, foreign=foreign,
                           admin_route=route if route.is_admin else None, sample=sample)

    parts = []
    for item in route.patterns:
        pattern = item.pattern
        if hasattr(pattern, "_route"):
            text = re.sub(r"<(?:\w+:)?(\w+)>", fill, str(pattern._route))
        else:
            text = str(pattern._regex).removeprefix("^").removesuffix("$")
            text = re.sub(r"\(\?P<(\w+)>[^()]*\)", fill, text)
        parts.append(text)
    path = "/" + "".join(parts)
    match = resolve(urlparse(path).path)
    if match.route != route.route:
        raise AssertionError(f"The walk built {path} for {route.route} but it resolves to {match.route}")
    return path


def build_api_path(path_template: str, world: World, *, foreign: bool = False, sample: dict[str, str] | None = None) -> str:
    return re.sub(
        r"\{(\w+)\}",
        lambda m: kwarg_value(path_template, path_template, m.group(1), world, foreign=foreign, sample=sample),
        path_template,
    )


def example_body(operation: dict, schema: dict) -> dict | None:
    """A small body that satisfies the operation's request schema (required fields only)."""
    content = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if not content:
        return None
    components = schema.get("components", {}).get("schemas", {})

    def build(node: dict) -> Any:
        if "$ref" in node:
            return build(components[node["$ref"].rsplit("/", 1)[1]])
        for combinator in ("allOf", "anyOf", "oneOf"):
            if combinator in node:
                options = [option for option in node[combinator] if option.get("type") != "null"]
                return build(options[0])
        if "default" in node:
            return node["default"]
        if "enum" in node:
            return node["enum"][0]
        kind = node.get("type")
        if kind == "object" or "properties" in node:
            return {name: build(node["properties"][name]) for name in node.get("required", [])}
        if kind == "array":
            return [build(node.get("items", {}))] if node.get("minItems") else []
        if kind == "integer":
            return max(1, node.get("minimum", 1))
        if kind == "number":
            return 1
        if kind == "boolean":
            return False
        formats = {"email": "walk@example.org", "date": "2025-01-31", "date-time": "2025-01-31T10:00:00Z",
                   "uri": "https://example.org"}
        return formats.get(node.get("format"), "Walk")

    return build(content["schema"])


# --- running it --------------------------------------------------------------------------------

@dataclass
class Outcome:
    key: str
    method: str
    persona: str
    privacy: str
    foreign: bool
    path: str
    expected: Any
    status: int
    location: str
    content: bytes = field(repr=False, default=b"")
    content_type: str = ""
    error: str = ""

    @property
    def ok(self) -> bool:
        return status_matches(self.expected, self.status, self.location)

    def __str__(self) -> str:
        where = " (another community's ids)" if self.foreign else ""
        got = f"{self.status}" + (f" -> {self.location}" if self.location else "") + (f" [{self.error}]" if self.error else "")
        return f"{self.key} {self.method} as {self.persona} in a {self.privacy} community{where}: expected {self.expected}, got {got} ({self.path})"


def _login_paths() -> set[str]:
    return {reverse("account_login"), reverse("admin:login")}


def status_matches(expected, status: int, location: str) -> bool:
    to_login = status == 302 and urlparse(location).path in _login_paths()
    if expected == LOGIN:
        return to_login
    if isinstance(expected, set):
        return any(status_matches(item, status, location) for item in expected)
    return status == expected and not (expected == 302 and to_login)


class Walker:
    """One signed-in client per persona; each request rolled back after it ran."""

    def __init__(self, world: World):
        self.world = world
        self.clients: dict[str, tuple[Client, str | None]] = {}
        for persona in PERSONAS:
            client = Client(raise_request_exception=False)
            user = world.cast.users[persona]
            session = None
            if user is not None:
                client.force_login(user)
                session = client.cookies[settings.SESSION_COOKIE_NAME].value
            self.clients[persona] = (client, session)

    def fetch(self, persona: str, method: str, path: str, body: dict | None = None):
        client, session = self.clients[persona]
        client.cookies = SimpleCookie()
        if session:
            client.cookies[settings.SESSION_COOKIE_NAME] = session
        with transaction.atomic():
            if method == "GET":
                response = client.get(path)
            elif body is not None:
                response = client.generic(method, path, json.dumps(body), content_type="application/json")
            else:
                response = client.generic(method, path, "", content_type="application/x-www-form-urlencoded")
            content = b"".join(response.streaming_content) if response.streaming else response.content
            transaction.set_rollback(True)
        return response, content

    def run(self, key: str, method: str, persona: str, path: str, expected, *, foreign: bool = False,
            body: dict | None = None) -> Outcome:
        response, content = self.fetch(persona, method, path, body)
        error = ""
        if getattr(response, "exc_info", None):
            error = repr(response.exc_info[1])[:300]
        return Outcome(key=key, method=method, persona=persona, privacy=self.world.privacy, foreign=foreign, path=path,
                       expected=expected, status=response.status_code, location=response.get("Location", ""),
                       content=content, content_type=response.get("Content-Type", ""), error=error)


def foreign_expectation(own):
    """With another community's ids: what worked is 404; what was refused stays refused (or 404)."""
    if own in DENIALS:
        return {own, 404}
    return 404


# Privacy changes what people outside a community get; members' answers follow their role.
OUTSIDERS = ("anonymous", "outsider")


def _personas_to_walk(statuses: dict, table_rows: dict, personas, privacy: str, only_differences_from: str | None):
    """All personas, or, to save time, outsiders plus anyone whose status differs from the other privacy."""
    if only_differences_from is None or privacy == only_differences_from:
        return list(personas)
    other = table_rows[only_differences_from]
    return [persona for persona in personas if persona in OUTSIDERS or statuses[persona] != other[persona]]


def walk_pages(world: World, *, community: bool, foreign: bool = False, personas=PERSONAS,
               methods=("GET", "POST"), table: Expectations | None = None, walker: Walker | None = None,
               include=lambda route: True, only_differences_from: str | None = None) -> list[Outcome]:
    """Walk the page routes (not admin, not API operations) that are, or are not, under /c/<slug>/.

    Routes without an expectation are left out here: ``uncovered_routes`` reports them.
    With ``only_differences_from="hidden"``, a listed community is walked for the
    personas whose expected status differs from the hidden one's, and for outsiders.
    """
    table = table if table is not None else expectations()
    walker = walker or Walker(world)
    outcomes = []
    for route in routes():
        if route.is_admin or route.api_path is not None or not include(route):
            continue
        if ("slug" in route.kwargs) != community:
            continue
        if foreign and not has_entity_kwargs(route.key, route.kwargs):
            continue
        for method in methods:
            rows = table.get((route.key, method)) or (table.get((route.key, "GET")) if method == "POST" else None)
            if rows is None:
                continue
            statuses = rows[world.privacy]
            chosen = _personas_to_walk(statuses, rows, personas, world.privacy, only_differences_from)
            for sample in samples(route.key):
                path = build_path(route, world, foreign=foreign, sample=sample)
                for persona in chosen:
                    expected = foreign_expectation(statuses[persona]) if foreign else statuses[persona]
                    outcomes.append(walker.run(route.key, method, persona, path, expected, foreign=foreign))
    return outcomes


def walk_api(world: World, *, community: bool, foreign: bool = False, table: Expectations | None = None,
             walker: Walker | None = None, only_differences_from: str | None = None) -> list[Outcome]:
    """Walk every operation of the OpenAPI schema, with a body that satisfies its schema."""
    from tequio.api import api

    table = table if table is not None else expectations()
    walker = walker or Walker(world)
    schema = api.get_openapi_schema()
    outcomes = []
    for path_template, method, operation in api_operations():
        names = re.findall(r"\{(\w+)\}", path_template)
        if ("slug" in names) != community or (foreign and not has_entity_kwargs(path_template, names)):
            continue
        rows = table.get((path_template, method))
        if rows is None:
            continue  # reported by uncovered_routes
        body = example_body(operation, schema)
        if body is None and method != "GET":
            body = {}
        statuses = rows[world.privacy]
        chosen = _personas_to_walk(statuses, rows, PERSONAS, world.privacy, only_differences_from)
        for sample in samples(path_template):
            path = build_api_path(path_template, world, foreign=foreign, sample=sample)
            for persona in chosen:
                expected = foreign_expectation(statuses[persona]) if foreign else statuses[persona]
                outcomes.append(walker.run(path_template, method, persona, path, expected, foreign=foreign, body=body))
    return outcomes


def walk_admin(world: World, *, table: Expectations | None = None, walker: Walker | None = None) -> list[Outcome]:
    table = table if table is not None else expectations()
    walker = walker or Walker(world)
    outcomes = []
    for route in routes():
        if not route.is_admin:
            continue
        path = build_path(route, world)
        for persona in PERSONAS:
            expected = admin_expectation(route, persona, table, world)
            outcomes.append(walker.run(route.key, "GET", persona, path, expected))
    return outcomes


def coverage() -> tuple[int, int]:
    """(routes and API operations with an expectation, all of them)."""
    total = len(routes()) + len(api_operations())
    return total - len(uncovered_routes()), total


def failures(outcomes: list[Outcome]) -> str:
    bad = [str(outcome) for outcome in outcomes if not outcome.ok]
    return f"{len(bad)} of {len(outcomes)} requests differ from the URL-walk table:\n" + "\n".join(bad)
