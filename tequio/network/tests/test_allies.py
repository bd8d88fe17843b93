"""Ally suggestions with their reasons, and dismissals that are remembered."""

from __future__ import annotations

from django.urls import reverse
from django.utils import translation

from tequio.network import services
from tequio.network.models import AllySuggestionDismissal

from .conftest import DAY


def suggestions(client, ncast, organization):
    page = client.get(reverse("network:allies", args=[ncast.community.slug]), {"organization": organization.pk})
    return {item.organization.pk: item for item in page.context["suggestions"]}


def test_suggestions_explain_themselves(ncast, client):
    # The university shares human rights with the cast's organization and is in the same state (SON).
    services.ask_create(actor=ncast.users["member"], community=ncast.community, organization=ncast.mine, kind="need",
                        topic="expertise", title="Evaluación")
    services.ask_create(actor=ncast.users["convener"], community=ncast.community, organization=ncast.extra[0],
                        kind="offer", topic="expertise", title="Evaluaciones de impacto")
    services.tie_record(actor=ncast.users["member"], community=ncast.community, source=ncast.mine, target=ncast.theirs,
                        type="joint_activity", started_on=DAY)
    client.force_login(ncast.users["member"])
    found = suggestions(client, ncast, ncast.mine)
    assert ncast.theirs.pk not in found  # already tied
    texts = [reason.text for reason in found[ncast.extra[0].pk].reasons]
    assert "Works on the same themes: Human rights" in texts
    assert "In the same state: Sonora" in texts
    assert "Offers what you need: Expertise" in texts
    assert "A sector you have no ties with yet: Academia" in texts
    ranked = list(found)
    assert ranked[0] == ncast.extra[0].pk


def test_reasons_are_given_in_the_viewers_language(ncast, client, spanish):
    spanish("Works on the same themes: %(themes)s", "Trabaja en los mismos temas: %(themes)s")
    client.force_login(ncast.users["member"])
    with translation.override("es"):
        page = client.get(reverse("network:allies", args=[ncast.community.slug]), {"organization": ncast.mine.pk},
                          HTTP_ACCEPT_LANGUAGE="es")
    assert "Trabaja en los mismos temas" in page.content.decode()


def test_a_dismissed_suggestion_is_not_made_again_until_restored(ncast, client):
    client.force_login(ncast.users["member"])
    url = reverse("network:ally_dismiss", args=[ncast.community.slug])
    client.post(url, {"organization": ncast.mine.pk, "candidate": ncast.extra[0].pk})
    assert AllySuggestionDismissal.objects.filter(organization=ncast.mine, candidate=ncast.extra[0]).exists()
    assert ncast.extra[0].pk not in suggestions(client, ncast, ncast.mine)
    client.post(reverse("network:ally_restore", args=[ncast.community.slug]),
                {"organization": ncast.mine.pk, "candidate": ncast.extra[0].pk})
    assert ncast.extra[0].pk in suggestions(client, ncast, ncast.mine)


def test_only_an_organizations_people_dismiss_for_it(ncast, client):
    client.force_login(ncast.users["member"])
    response = client.post(reverse("network:ally_dismiss", args=[ncast.community.slug]),
                           {"organization": ncast.theirs.pk, "candidate": ncast.extra[0].pk})
    assert response.status_code == 403
    assert not AllySuggestionDismissal.objects.exists()
