"""Security headers not covered by Django's SecurityMiddleware, and the MFA gate."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from .permissions import MFARequired


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        if request.user.is_authenticated:
            # Pages of signed-in people hold member data: never store them in shared caches.
            response.headers.setdefault("Cache-Control", "private, no-store")
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, MFARequired):
            messages.warning(request, _("This community requires two-factor authentication. Set it up to continue."))
            return redirect("mfa_activate_totp")
        return None
