"""Accounts through django-allauth: sign-in by email, password reset, two-factor, rate
limits, and an invitation followed from the email to the community."""

from __future__ import annotations

import os
import re
import time

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, format_hotp_value, hotp_value
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from tequio.core import services
from tequio.core.models import Membership
from tequio.testing.personas import PASSWORD

LOGIN = reverse("account_login")


def sign_in(client: Client, email: str, password: str = PASSWORD, **extra):
    return client.post(LOGIN, {"login": email, "password": password}, **extra)


def is_signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def totp_code(secret: str, offset: int = 0) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + offset))


def activate_totp(client: Client) -> str:
    """Turn on TOTP as a person does: confirm the password, scan, type a code."""
    page = client.get(reverse("mfa_activate_totp"))
    if page.status_code == 302 and page["Location"].startswith(reverse("account_reauthenticate")):
        # Changing credentials asks for the password again, even right after signing in.
        assert client.post(page["Location"], {"password": PASSWORD})["Location"] == reverse("mfa_activate_totp")
        page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response.status_code == 302, response.content[:2000]
    return secret


# --- signing in ------------------------------------------------------------------

def test_people_sign_in_with_their_email_in_any_case(cast):
    client = Client()
    response = sign_in(client, "MEMBER@cast.test")
    assert response.status_code == 302 and response["Location"] == reverse("core:home")
    assert is_signed_in(client)


def test_a_wrong_password_is_refused_without_saying_whether_the_account_exists(cast):
    wrong = sign_in(Client(), "member@cast.test", "not-the-password")
    unknown = sign_in(Client(), "nobody@cast.test", "not-the-password")
    assert wrong.status_code == unknown.status_code == 200
    message = "The email address and/or password you specified are not correct."
    assert message in wrong.text and message in unknown.text


def test_after_repeated_failures_even_the_right_password_is_refused(cast):
    client = Client()
    for _attempt in range(5):
        assert sign_in(client, "member@cast.test", "guess").status_code == 200
    response = sign_in(client, "member@cast.test")
    assert response.status_code == 200
    assert "Too many failed login attempts. Try again later." in response.text
    assert not is_signed_in(client)
    # Another account from the same place is not locked by these failures.
    assert sign_in(Client(), "steward@cast.test").status_code == 302


def test_failures_from_one_address_are_limited_across_accounts(cast, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "3/m/ip,5/5m/key"}
    client = Client()
    for email in ("a@cast.test", "b@cast.test", "c@cast.test"):
        sign_in(client, email, "guess", REMOTE_ADDR="203.0.113.7")
    response = sign_in(client, "member@cast.test", REMOTE_ADDR="203.0.113.7")
    assert "Too many failed login attempts. Try again later." in response.text
    assert sign_in(Client(), "member@cast.test", REMOTE_ADDR="203.0.113.8").status_code == 302


# --- password reset ----------------------------------------------------------------

def test_a_forgotten_password_is_reset_through_the_emailed_link(cast, mailoutbox):
    client = Client()
    response = client.post(reverse("account_reset_password"), {"email": "member@cast.test"})
    assert response.status_code == 302
    [mail] = mailoutbox
    assert mail.to == ["member@cast.test"]
    link = re.search(r"http://\S+/accounts/password/reset/key/\S+/", mail.body).group(0)
    form_url = client.get(link.split("testserver", 1)[-1], follow=True).redirect_chain[-1][0]
    response = client.post(form_url, {"password1": "a-new-long-passphrase", "password2": "a-new-long-passphrase"})
    assert response.status_code == 302
    assert sign_in(Client(), "member@cast.test").status_code == 200  # the old one no longer works
    assert sign_in(Client(), "member@cast.test", "a-new-long-passphrase").status_code == 302


def test_a_reset_for_an_unknown_email_reveals_nothing_and_carries_no_link(cast, mailoutbox):
    response = Client().post(reverse("account_reset_password"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert all("/password/reset/key/" not in mail.body for mail in mailoutbox)


@pytest.mark.skipif("EMAIL_BACKEND" in os.environ, reason="the environment chose another mail backend")
def test_reset_mail_goes_to_the_console_by_default():
    from tequio import settings as project_settings

    # Tests swap in the in-memory backend; a fresh install prints mails to the console.
    assert project_settings.EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend"


# --- two-factor authentication -------------------------------------------------------

def test_anyone_can_turn_on_totp_and_then_needs_a_code_to_sign_in(cast):
    client = Client()
    sign_in(client, "outsider@cast.test")
    secret = activate_totp(client)
    user = cast.users["outsider"]
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES).exists()

    client = Client()
    response = sign_in(client, "outsider@cast.test")
    assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate")
    assert not is_signed_in(client)
    assert client.post(reverse("mfa_authenticate"), {"code": "000000"}).status_code == 200
    with time_machine.travel(time.time() + 30):  # a code is good once: use the next one
        response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert is_signed_in(client)


def test_a_community_requiring_two_factor_sends_members_to_set_it_up_first(cast):
    services.community_update(actor=cast.users["convener"], community=cast.community, require_mfa=True)
    home = reverse("core:community_home", args=[cast.community.slug])
    client = Client()
    sign_in(client, "member@cast.test")
    response = client.get(home)
    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")
    page = client.get(response["Location"], follow=True)
    assert "This community requires two-factor authentication. Set it up to continue." in page.text
    activate_totp(client)
    assert client.get(home).status_code == 200


def test_two_factor_required_applies_to_every_page_and_api_route_of_the_community(cast):
    services.community_update(actor=cast.users["convener"], community=cast.community, require_mfa=True)
    client = Client()
    client.force_login(cast.users["ally"])
    for name in ("organizations", "people", "charter", "goals", "members"):
        response = client.get(reverse(f"core:{name}", args=[cast.community.slug]))
        assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp"), name
    assert client.get(f"/api/v1/communities/{cast.community.slug}").status_code == 403


# --- invitations, from the email to the community ---------------------------------------

def test_an_invited_person_signs_up_from_the_email_and_joins(cast, mailoutbox, django_capture_on_commit_callbacks):
    convener = Client()
    convener.force_login(cast.users["convener"])
    with django_capture_on_commit_callbacks(execute=True):
        convener.post(reverse("core:invitations", args=[cast.community.slug]),
                      {"email": "nueva@example.org", "role": "member", "organization": cast.organization.pk})
    link = re.search(r"http://\S+/invite/\S+/", mailoutbox[0].body).group(0)
    path = link.split("127.0.0.1:8000", 1)[-1]

    guest = Client()
    welcome = guest.get(path)
    assert welcome.status_code == 200 and cast.community.name in welcome.text
    signup = f"{reverse('account_signup')}?next={path}"
    assert signup.replace("/", "%2F").split("?")[1] in welcome.text.replace("/", "%2F")
    response = guest.post(signup, {"email": "nueva@example.org", "password1": "una-frase-larga-y-segura",
                                   "password2": "una-frase-larga-y-segura"})
    assert response.status_code == 302 and response["Location"] == path
    assert "Accept and join" in guest.get(path).text
    response = guest.post(path)
    assert response["Location"] == reverse("core:community_home", args=[cast.community.slug])
    user = get_user_model().objects.get(email="nueva@example.org")
    membership = Membership.objects.get(community=cast.community, user=user)
    assert membership.role == "member"
    assert membership.person.affiliations.get().organization == cast.organization
    assert "Your role: Member" in guest.get(response["Location"]).text


def test_an_invitation_opens_sign_up_even_when_open_sign_up_is_closed(cast, settings):
    settings.ACCOUNT_ALLOW_REGISTRATION = False
    closed = Client().get(reverse("account_signup"))
    assert 'name="password1"' not in closed.text
    _invitation, token = services.invitation_create(actor=cast.users["convener"], community=cast.community,
                                                    email="nueva@example.org")
    guest = Client()
    guest.get(reverse("core:invitation_accept", args=[token]))
    assert 'name="password1"' in guest.get(reverse("account_signup")).text


@pytest.mark.parametrize("persona", ["outsider", "member"])
def test_a_used_invitation_link_says_it_is_no_longer_valid(cast, persona):
    _invitation, token = services.invitation_create(actor=cast.users["convener"], community=cast.community,
                                                    email="nueva@example.org")
    services.invitation_accept(user=cast.users["outsider"], token=token)
    client = Client()
    client.force_login(cast.users[persona])
    page = client.get(reverse("core:invitation_accept", args=[token]))
    assert "This invitation is no longer valid. Ask for a new one." in page.text
    assert "Accept and join" not in page.text
