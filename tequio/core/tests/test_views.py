"""Core pages: forms, redirects, htmx partials, privacy on the page, and the language."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tequio.core import choices, services
from tequio.core.models import Charter, Community, Goal, Invitation, Membership, Organization


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def url(name: str, cast, *args) -> str:
    return reverse(f"core:{name}", args=[cast.community.slug, *args])


# --- forms ---------------------------------------------------------------------

def test_a_goal_without_a_title_is_shown_again_with_the_error_and_nothing_saved(cast):
    response = client_for(cast.users["steward"]).post(url("goals", cast), {"title": "", "horizon": "short", "status": "active"})
    assert response.status_code == 200
    assert "This field is required." in response.text
    assert not Goal.objects.filter(community=cast.community).exists()


def test_a_goal_is_added_and_listed_by_horizon(cast):
    client = client_for(cast.users["steward"])
    response = client.post(url("goals", cast), {"title": "Mapear la red", "horizon": "long", "status": "active"})
    assert response.status_code == 302 and response["Location"] == url("goals", cast)
    page = client.get(url("goals", cast)).text
    assert "Mapear la red" in page and "Long term" in page


def test_a_rotating_charter_without_a_period_is_refused_with_the_reason(cast):
    data = {
        "roles_responsibilities": "Todas", "leadership_model": "rotating", "rotation_period_months": "",
        "decision_rule": "consent", "adopted_on": "2025-01-31", "adopted_how": "Asamblea", "review_period_months": "12",
    }
    client = client_for(cast.users["convener"])
    response = client.post(url("charter_adopt", cast), data)
    assert response.status_code == 200
    assert "A rotating leadership needs a rotation period." in response.text
    assert not Charter.objects.exists()
    response = client.post(url("charter_adopt", cast), {**data, "rotation_period_months": "6"})
    assert response.status_code == 302
    assert Charter.objects.get(community=cast.community).version == 1


def test_a_new_charter_version_starts_from_the_current_text(cast):
    services.charter_adopt(actor=cast.users["convener"], community=cast.community, roles_responsibilities="Texto vigente",
                           leadership_model="fixed", decision_rule="consensus", adopted_on="2025-01-31", adopted_how="Asamblea")
    response = client_for(cast.users["convener"]).get(url("charter_adopt", cast))
    assert "Texto vigente" in response.text
    # The adoption itself is a new decision: its date and how are not copied.
    assert "Asamblea" not in response.text


def test_an_invitation_with_a_bad_email_sends_nothing(cast, mailoutbox):
    response = client_for(cast.users["convener"]).post(url("invitations", cast), {"email": "no-es-correo", "role": "member"})
    assert response.status_code == 200
    assert "Enter a valid email address." in response.text
    assert not Invitation.objects.filter(email="no-es-correo").exists()
    assert mailoutbox == []


def test_inviting_through_the_page_mails_the_link(cast, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(cast.users["steward"]).post(
            url("invitations", cast), {"email": "nueva@example.org", "role": "ally", "organization": cast.organization.pk}
        )
    assert response.status_code == 302
    assert Invitation.objects.get(email="nueva@example.org").organization == cast.organization
    assert [mail.to for mail in mailoutbox] == [["nueva@example.org"]]


def test_the_last_manager_is_told_why_they_cannot_step_down(cast):
    convener = cast.users["convener"]
    client = client_for(convener)
    steward = Membership.objects.get(community=cast.community, user=cast.users["steward"])
    own = Membership.objects.get(community=cast.community, user=convener)
    client.post(url("member_role", cast, steward.pk), {"role": "member"})
    response = client.post(url("member_role", cast, own.pk), {"role": "member"}, follow=True)
    assert "A community needs at least one steward or convener." in response.text
    own.refresh_from_db()
    assert own.role == choices.Role.CONVENER


def test_creating_a_community_leads_to_writing_its_goals(cast):
    response = client_for(cast.users["outsider"]).post(reverse("core:community_create"), {
        "name": "Red del Norte", "slug": "red-norte", "purpose": "Aprender", "languages": ["es", "en"],
        "stage": "discovery", "privacy": "hidden",
    })
    assert response.status_code == 302 and response["Location"] == reverse("core:goals", args=["red-norte"])
    community = Community.objects.get(slug="red-norte")
    assert community.languages == ["es", "en"]
    assert Membership.objects.get(community=community).user == cast.users["outsider"]


def test_an_organization_is_added_with_its_geography_and_shown(cast):
    client = client_for(cast.users["member"])
    response = client.post(url("organization_create", cast), {
        "name": "Colectiva Sur", "kind": "cso", "country": "MX", "state": "oax", "municipality": "Juchitán",
        "thematic_areas": ["gender"], "other_themes": "agua, territorio", "excluded_groups": ["indigenous"],
    })
    assert response.status_code == 302
    organization = Organization.objects.get(name="Colectiva Sur")
    assert organization.state == "OAX"
    assert organization.thematic_areas == ["gender", "agua", "territorio"]
    page = client.get(response["Location"]).text
    assert "Colectiva Sur" in page and "Oaxaca" in page


# --- htmx ------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "search", "shown", "hidden"), [
    ("organizations", "Fundación", "Fundación cast", "Colectivo cast"),
    ("people", "member", "member", "steward"),
])
def test_htmx_filtering_returns_only_the_rows(cast, name, search, shown, hidden):
    client = client_for(cast.users["steward"])
    partial = client.get(url(name, cast), {"q": search}, HTTP_HX_REQUEST="true")
    assert partial.status_code == 200
    assert "<html" not in partial.text and "<form" not in partial.text
    assert shown in partial.text and hidden not in partial.text
    full = client.get(url(name, cast), {"q": search})
    assert "<html" in full.text and 'hx-get="' in full.text and shown in full.text


# --- privacy on the page -----------------------------------------------------------

@pytest.mark.parametrize(("privacy", "ally_sees"), [(choices.Privacy.LISTED, True), (choices.Privacy.HIDDEN, False)])
def test_contact_details_on_a_persons_page_follow_the_communitys_privacy(db, privacy, ally_sees):
    from tequio.testing.personas import build_cast

    cast = build_cast(privacy=privacy)
    person = services.person_create(actor=cast.users["convener"], community=cast.community, display_name="Ana",
                                    email="ana@example.org", phone="+52 55 1234 5678", gender="woman")
    for persona, sees in (("ally", ally_sees), ("steward", True)):
        page = client_for(cast.users[persona]).get(url("person_detail", cast, person.pk)).text
        assert ("ana@example.org" in page) is sees, persona
        assert ("+52 55 1234 5678" in page) is sees, persona
    observer = client_for(cast.users["observer"]).get(url("person_detail", cast, person.pk))
    assert observer.status_code == 403 and "ana@example.org" not in observer.text


def test_a_public_community_shows_its_organizations_but_not_who_works_there(db):
    from tequio.testing.personas import build_cast

    cast = build_cast(privacy=choices.Privacy.PUBLIC)
    services.person_create(actor=cast.users["convener"], community=cast.community, display_name="Rosa Elena",
                           affiliations=[{"organization": cast.organization, "position": "Directora"}])
    path = url("organization_detail", cast, cast.organization.pk)
    anonymous = Client().get(path)
    assert anonymous.status_code == 200 and cast.organization.name in anonymous.text
    assert "Rosa Elena" not in anonymous.text and "Directora" not in anonymous.text
    assert "Rosa Elena" in client_for(cast.users["ally"]).get(path).text


def test_the_home_page_shows_goals_counts_and_charter_status(cast):
    services.goal_create(actor=cast.users["convener"], community=cast.community, title="Confianza entre organizaciones")
    page = client_for(cast.users["observer"]).get(url("community_home", cast)).text
    assert "Confianza entre organizaciones" in page
    assert "No charter adopted yet." in page
    assert "Intermediate support organization" in page  # organizations by kind
    # Observers see counts, not the people.
    assert reverse("core:people", args=[cast.community.slug]) not in page


def test_the_home_page_counts_are_cached_and_change_as_soon_as_the_registry_does(cast):
    client = client_for(cast.users["steward"])
    home = url("community_home", cast)
    first = client.get(home).text
    assert "Academia" not in first
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as cold:
        client.get(home)
    services.organization_create(actor=cast.users["steward"], community=cast.community, name="Universidad del Norte",
                                 kind=choices.OrganizationKind.ACADEMIA, country="MX")
    with CaptureQueriesContext(connection) as refreshed:
        page = client.get(home).text
    assert "Academia" in page  # the new organization's kind, counted at once
    with CaptureQueriesContext(connection) as warm:
        client.get(home)
    # The counts come from the cache again: the four aggregate queries (and the cache write) are gone.
    assert len(warm) <= len(refreshed) - 4
    assert len(cold) == len(warm)


# --- language --------------------------------------------------------------------

def test_the_browser_language_is_used_until_the_switcher_changes_it(cast):
    client = Client()
    assert '<html lang="es">' in client.get("/", HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9").text
    assert '<html lang="en">' in client.get("/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9").text
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"}, HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 302
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="es")
    assert '<html lang="en">' in page.text
    assert page["Content-Language"] == "en"
    client.post(reverse("set_language"), {"language": "es", "next": "/"})
    assert '<html lang="es">' in client.get("/", HTTP_ACCEPT_LANGUAGE="en").text


def test_the_switcher_offers_the_other_language(cast):
    page = Client().get("/", HTTP_ACCEPT_LANGUAGE="es").text
    assert 'name="language" value="en"' in page and 'value="es"' not in page


def test_a_refusal_invites_an_anonymous_visitor_to_sign_in_and_tells_a_member_their_role_does_not_allow_it(cast):
    cast.community.privacy = choices.Privacy.PUBLIC
    cast.community.save(update_fields=["privacy"])
    audit = url("audit", cast)  # stewards only, even in a public community
    anonymous = Client().get(audit)
    assert anonymous.status_code == 403
    assert f'href="{reverse("account_login")}?next={audit}"' in anonymous.text
    member = client_for(cast.users["member"]).get(audit)
    assert member.status_code == 403
    assert "Your role in this community does not allow this action." in member.text
    assert "?next=" not in member.text
