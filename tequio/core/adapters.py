from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        # Invitations must always work, even where open sign-up is closed.
        if request.session.get("tequio_invitation"):
            return True
        return settings.ACCOUNT_ALLOW_REGISTRATION
