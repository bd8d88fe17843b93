"""The versioned JSON API, /api/v1/. Token auth for scripts, sessions for the browser.

Core's routes live in ``tequio.core.api``; each capability adds its router through
its manifest. Errors have one shape: {"message": ..., "fields": {...}}, translated
into the language the request's Accept-Language asks for (LocaleMiddleware runs for
/api/ as for pages).

Who is calling:
- ``Authorization: Bearer tq_...``: a personal token (``/account/tokens/``). A wrong,
  revoked or malformed token is refused with 401; it never falls back to anonymous,
  so a script with a dead token learns it at once instead of seeing less data.
- the browser session (cookie), with Django's CSRF check on unsafe methods;
- nobody: read routes that opt in with ``PUBLIC_READ`` answer anonymous callers,
  and the permission layer then shows only public communities.
Everything else requires one of the first two (``SIGNED_IN``, the default).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie
from ninja.security.base import AuthBase
from ninja.utils import check_csrf

from .core import registry
from .core.permissions import MFARequired
from .core.schemas import ErrorOut
from .core.services import api_token_authenticate


class InvalidToken(AuthenticationError):
    """An Authorization header was sent but names no active token."""


class CsrfFailed(PermissionDenied):
    """A session-authenticated unsafe request without a valid CSRF token."""


class NotFound(Http404):
    """404 that names what was not found, e.g. an organization id in a request body."""

    def __init__(self, message: str, fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class BearerToken(HttpBearer):
    openapi_bearerFormat = "tq_…"
    openapi_description = "A personal API token, created on /account/tokens/."

    def __call__(self, request):
        header = request.headers.get("Authorization")
        if header is None:
            return None
        scheme, _sep, secret = header.partition(" ")
        if scheme.lower() != "bearer":
            raise InvalidToken
        user = api_token_authenticate(secret.strip())
        if user is None:
            raise InvalidToken
        request.user = user
        return user

    def authenticate(self, request, token):  # pragma: no cover - __call__ does the work
        return api_token_authenticate(token)


class SessionCookie(APIKeyCookie):
    """The signed-in browser session; unsafe methods must carry the CSRF token."""

    param_name = settings.SESSION_COOKIE_NAME
    openapi_description = "The browser session of a signed-in user; send X-CSRFToken on unsafe methods."

    def _get_key(self, request):
        if not request.user.is_authenticated:
            # No ambient credential, nothing a forged request could borrow.
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request) is not None:
            raise CsrfFailed
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request, key):
        return request.user if request.user.is_authenticated else None


class Anonymous(AuthBase):
    """Lets a read route run without credentials; the permission layer decides what is visible.

    It appears in the OpenAPI schema as the empty requirement ``{}`` (credentials optional).
    """

    openapi_type = "anonymous"  # replaced by {} in the schema, see TequioAPI.get_openapi_schema

    def __call__(self, request):
        return True


SIGNED_IN = [BearerToken(), SessionCookie()]
PUBLIC_READ = [*SIGNED_IN, Anonymous()]


def errors(*codes: int) -> dict[int, Any]:
    """Response declarations for the error codes an operation can answer, in the one shape."""
    return dict.fromkeys(codes, ErrorOut)


class TequioAPI(NinjaAPI):
    """NinjaAPI whose routers are mounted on first use, so that routers may import this module."""

    _mounted = False

    def mount_routers(self) -> None:
        if self._mounted:
            return
        self._mounted = True
        from .core.api import router as core_router

        self.add_router("/", core_router)
        for capability in registry.capabilities():
            if capability.api_router:
                module_name, _sep, attribute = capability.api_router.partition(":")
                module = __import__(module_name, fromlist=[attribute])
                self.add_router("/", getattr(module, attribute))

    def get_openapi_operation_id(self, operation) -> str:
        # "core_organization_list" rather than "tequio_core_api_organization_list".
        module = operation.view_func.__module__.removeprefix("tequio.").removesuffix(".api")
        return f"{module.replace('.', '_')}_{operation.view_func.__name__}"

    @property
    def urls(self):
        self.mount_routers()
        return super().urls

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        self.mount_routers()
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        anonymous = Anonymous.__name__
        schema.get("components", {}).get("securitySchemes", {}).pop(anonymous, None)
        for operations in schema["paths"].values():
            for operation in operations.values():
                if "security" in operation:
                    operation["security"] = [{} if anonymous in item else item for item in operation["security"]]
        return schema


api = TequioAPI(
    title="Tequio API",
    version="1",
    description=(
        "Communities, their organizations, people, memberships and goals, with the same permissions "
        "as the pages. Authenticate with a personal token (Authorization: Bearer tq_…) from "
        "/account/tokens/. Errors: {\"message\": ..., \"fields\": {...}}. See docs/api.md."
    ),
    auth=SIGNED_IN,
    urls_namespace="api",
)


def _error(request, status: int, message: str, fields: dict | None = None):
    return api.create_response(request, {"message": message, "fields": fields or {}}, status=status)


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    """A service refused the input: 400, with problems by field where it named one."""
    fields: dict[str, list[str]] = {}
    general: list[str] = []
    if hasattr(exc, "error_dict"):
        for name, errors_ in exc.error_dict.items():
            messages = [str(message) for error in errors_ for message in error.messages]
            if name == "__all__":
                general += messages
            else:
                fields[name] = messages
    else:
        general = [str(message) for message in exc.messages]
    message = " ".join(general) if general else _("Some fields are not valid.")
    return _error(request, 400, message, fields)


@api.exception_handler(IntegrityError)
def on_integrity_error(request, exc: IntegrityError):
    # A concurrent write won a uniqueness race the service had checked for.
    return _error(request, 400, _("This conflicts with an existing record."))


def _schema_message(error: dict) -> str:
    """Pydantic's English message, in the request's language for the errors people meet."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind == "string_too_long":
        limit = ctx.get("max_length", 0)
        return ngettext(
            "Ensure this value has at most %(limit_value)d character.",
            "Ensure this value has at most %(limit_value)d characters.",
            limit,
        ) % {"limit_value": limit}
    if kind == "string_too_short":
        return _("This field cannot be blank.")
    if kind == "string_pattern_mismatch":
        return _("Enter a valid value.")
    if kind in {"string_type", "string_unicode"}:
        return _("Enter text.")
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return _("Enter a whole number.")
    if kind in {"bool_parsing", "bool_type"}:
        return _("Enter true or false.")
    if kind in {"literal_error", "enum"}:
        return _("Select a valid choice. Allowed: %(expected)s.") % {"expected": ctx.get("expected", "")}
    if kind == "greater_than_equal":
        return _("Ensure this value is greater than or equal to %(limit_value)s.") % {"limit_value": ctx.get("ge")}
    if kind == "less_than_equal":
        return _("Ensure this value is less than or equal to %(limit_value)s.") % {"limit_value": ctx.get("le")}
    if kind == "too_long":
        return _("Send at most %(max)s items.") % {"max": ctx.get("max_length")}
    if kind == "list_type":
        return _("Enter a list of values.")
    if kind in {"model_attributes_type", "dict_type", "model_type"}:
        return _("Send a JSON object.")
    if kind == "date_text":
        return _("Send dates and times as ISO 8601 text.")
    if kind in {"date_parsing", "date_type", "date_from_datetime_parsing", "date_from_datetime_inexact"}:
        return _("Enter a valid date (YYYY-MM-DD).")
    if kind in {"datetime_parsing", "datetime_type", "datetime_from_date_parsing", "timezone_aware"}:
        return _("Enter a valid date and time (ISO 8601, e.g. 2025-03-01T10:00:00-06:00).")
    if kind == "json_invalid":
        return _("The request body is not valid JSON.")
    if kind == "extra_forbidden":
        return _("Unknown field.")
    return str(error.get("msg", ""))


@api.exception_handler(NinjaValidationError)
def on_schema_error(request, exc: NinjaValidationError):
    """The request does not match the operation's schema: 422, with problems by field."""
    fields: dict[str, list[str]] = {}
    for error in exc.errors:
        loc = [str(part) for part in error.get("loc", [])]
        # ("body", "payload", "name") -> "name"; ("query", "limit") -> "limit"
        loc = loc[2:] if loc[:1] == ["body"] else loc[1:]
        fields.setdefault(".".join(loc) or "body", []).append(_schema_message(error))
    return _error(request, 422, _("The request is not valid."), fields)


@api.exception_handler(Http404)
def on_not_found(request, exc: Http404):
    if isinstance(exc, NotFound):
        return _error(request, 404, exc.message, exc.fields)
    return _error(request, 404, _("Not found."))


@api.exception_handler(PermissionDenied)
def on_forbidden(request, exc: PermissionDenied):
    if isinstance(exc, MFARequired):
        message = _("This community requires two-factor authentication. Set it up in your account to continue.")
    elif isinstance(exc, CsrfFailed):
        message = _("The CSRF check failed. Reload the page and try again, or use an API token.")
    else:
        message = _("You do not have permission to do this.")
    return _error(request, 403, message)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request, exc: AuthenticationError):
    if isinstance(exc, InvalidToken):
        message = _("The API token is not valid or has been revoked.")
    else:
        message = _("Authentication required: send a personal API token or sign in.")
    response = _error(request, 401, message)
    response["WWW-Authenticate"] = 'Bearer realm="tequio"'
    return response


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    if exc.status_code == 400 and exc.__cause__ is not None:
        # ninja wraps the parser's error: the body was not JSON (or not UTF-8).
        return _error(request, 400, _("The request body is not valid JSON."))
    return _error(request, exc.status_code, str(exc))
