"""The versioned JSON API, /api/v1/. Token auth for scripts, sessions for the browser.

Core's routes live in ``tequio.core.api``; each capability adds its router through
its manifest. Errors have one shape: {"message": ..., "fields": {...}}, translated.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyHeader, HttpBearer, django_auth

from .core import registry
from .core.services import api_token_authenticate


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
        return user


class AnonymousAllowed(APIKeyHeader):
    """Lets public routes run without credentials; permissions decide what is visible."""

    param_name = "X-Anonymous"

    def __call__(self, request):
        return True

    def authenticate(self, request, key):
        return True


api = NinjaAPI(
    title="Tequio API",
    version="1",
    description="Communities, their organizations, people, memberships and goals. Same permissions as the pages.",
    auth=[BearerToken(), django_auth, AnonymousAllowed()],
    urls_namespace="api",
)


def _error(request, status: int, message: str, fields: dict | None = None):
    return api.create_response(request, {"message": message, "fields": fields or {}}, status=status)


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    fields = {}
    if hasattr(exc, "error_dict"):
        fields = {name: [str(m) for e in errors for m in e.messages] for name, errors in exc.error_dict.items()}
    message = " ".join(exc.messages) if not fields else _("Some fields are not valid.")
    return _error(request, 400, message, fields)


@api.exception_handler(NinjaValidationError)
def on_schema_error(request, exc: NinjaValidationError):
    fields: dict[str, list[str]] = {}
    for error in exc.errors:
        name = ".".join(str(part) for part in error.get("loc", [])[1:]) or "body"
        fields.setdefault(name, []).append(str(error.get("msg", "")))
    return _error(request, 422, _("The request is not valid."), fields)


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return _error(request, 404, _("Not found."))


@api.exception_handler(PermissionDenied)
def on_forbidden(request, exc):
    return _error(request, 403, _("You do not have permission to do this."))


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request, exc):
    return _error(request, 401, _("Authentication required."))


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    return _error(request, exc.status_code, str(exc))


def _mount_routers() -> None:
    from .core.api import router as core_router

    api.add_router("/", core_router)
    for capability in registry.capabilities():
        if capability.api_router:
            module_name, _sep, attribute = capability.api_router.partition(":")
            module = __import__(module_name, fromlist=[attribute])
            api.add_router("/", getattr(module, attribute))


_mount_routers()
