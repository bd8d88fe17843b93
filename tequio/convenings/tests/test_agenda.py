"""The participatory agenda: proposals, dot votes within a budget, the live ranking, scheduling."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tequio.convenings import selectors, services
from tequio.convenings.models import AgendaItem, AgendaVote, ProposerKind
from tequio.core.permissions import access_for


def agenda_url(cast, convening, name="agenda", *args):
    return reverse(f"convenings:{name}", args=[cast.community.slug, convening.pk, *args])


def test_a_member_proposes_a_topic_recorded_as_proposed_by_their_organization(cast, convening):
    item = services.agenda_item_propose(actor=cast.users["member"], convening=convening, title="Mediación escolar")
    assert item.proposer_kind == ProposerKind.MEMBER
    assert item.organization == cast.organization


def test_the_conveners_topic_is_recorded_as_proposed_by_the_convener(cast, convening):
    item = services.agenda_item_propose(actor=cast.users["convener"], convening=convening, title="Marco lógico")
    assert item.proposer_kind == ProposerKind.CONVENER


def test_votes_rank_the_topics_and_each_organization_spends_its_own_budget(cast, convening, member_org_two):
    first = services.agenda_item_propose(actor=cast.users["member"], convening=convening, title="A")
    second = services.agenda_item_propose(actor=cast.users["member"], convening=convening, title="B")
    for _ in range(3):
        services.agenda_vote(actor=cast.users["member"], item=second, delta=1)
    services.agenda_vote(actor=member_org_two, item=first, delta=1)
    result = services.agenda_vote(actor=member_org_two, item=second, delta=1)
    assert (result.dots, result.spent, result.budget) == (1, 2, 5)
    ranked = selectors.agenda_ranking(convening)
    assert [(row.item.title, row.rank, row.dots, row.organizations) for row in ranked] == [("B", 1, 4, 2), ("A", 2, 1, 1)]


def test_colleagues_share_their_organizations_budget(cast, convening, steward):
    # The member and the steward both speak for the same organization.
    item = services.agenda_item_propose(actor=cast.users["member"], convening=convening, title="A")
    for _ in range(3):
        services.agenda_vote(actor=cast.users["member"], item=item, delta=1)
    for _ in range(2):
        services.agenda_vote(actor=steward, item=item, delta=1)
    with pytest.raises(ValidationError):
        services.agenda_vote(actor=steward, item=item, delta=1)


def test_a_vote_over_budget_is_refused_with_a_clear_message_and_changes_nothing(cast, convening):
    services.convening_settings_update(actor=cast.users["steward"], community=cast.community, votes_per_organization=2,
                                       reminder_days_before=2)
    item = services.agenda_item_propose(actor=cast.users["member"], convening=convening, title="A")
    services.agenda_vote(actor=cast.users["member"], item=item, delta=1)
    services.agenda_vote(actor=cast.users["member"], item=item, delta=1)
    with pytest.raises(ValidationError) as error:
        services.agenda_vote(actor=cast.users["member"], item=item, delta=1)
    assert "used all its 2 votes" in error.value.messages[0]
    assert AgendaVote.objects.get(item=item).dots == 2


def test_a_vote_after_the_agenda_closed_is_refused_and_changes_nothing(cast, convening, steward):
    item = services.agenda_item_propose(actor=cast.users["member"], convening=convening, title="A")
    services.agenda_set_open(actor=steward, convening=convening, is_open=False)
    convening.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        services.agenda_vote(actor=cast.users["member"], item=item, delta=1)
    assert "agenda of this convening is closed" in error.value.messages[0]
    with pytest.raises(ValidationError):
        services.agenda_item_propose(actor=cast.users["member"], convening=convening, title="Late")
    assert not AgendaVote.objects.exists()
    assert AgendaItem.objects.count() == 1


def test_the_convener_has_no_member_budget(cast, convening):
    item = services.agenda_item_propose(actor=cast.users["member"], convening=convening, title="A")
    with pytest.raises(ValidationError, match="member organization"):
        services.agenda_vote(actor=cast.users["convener"], item=item, delta=1)


def test_taking_back_a_vote_frees_the_dot(cast, convening):
    item = services.agenda_item_propose(actor=cast.users["member"], convening=convening, title="A")
    services.agenda_vote(actor=cast.users["member"], item=item, delta=1)
    result = services.agenda_vote(actor=cast.users["member"], item=item, delta=-1)
    assert result.dots == 0 and result.spent == 0
    assert not AgendaVote.objects.exists()
    with pytest.raises(ValidationError, match="no vote on this topic"):
        services.agenda_vote(actor=cast.users["member"], item=item, delta=-1)


def test_withdrawing_a_topic_returns_its_dots(cast, convening):
    item = services.agenda_item_propose(actor=cast.users["member"], convening=convening, title="A")
    services.agenda_vote(actor=cast.users["member"], item=item, delta=1)
    services.agenda_item_remove(actor=cast.users["member"], item=item)
    assert selectors.agenda_ranking(convening) == []
    assert not AgendaVote.objects.exists()


def test_a_member_votes_from_the_page_without_javascript(cast, convening, client_for):
    item = services.agenda_item_propose(actor=cast.users["member"], convening=convening, title="Seguridad digital")
    client = client_for("member")
    response = client.post(agenda_url(cast, convening, "agenda_vote", item.pk), {"delta": "1"})
    assert response.status_code == 302 and response["Location"].endswith(f"#item-{item.pk}")
    page = client.get(agenda_url(cast, convening))
    assert "4 of 5 votes left" in page.content.decode()


def test_an_htmx_vote_answers_the_ranked_list_alone(cast, convening, client_for):
    item = services.agenda_item_propose(actor=cast.users["member"], convening=convening, title="Seguridad digital")
    response = client_for("member").post(agenda_url(cast, convening, "agenda_vote", item.pk), {"delta": "1"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<section id="agenda-list"') and "<html" not in body
    assert "1 vote" in body


def test_an_htmx_vote_over_budget_shows_the_error_in_the_list(cast, convening, client_for):
    services.convening_settings_update(actor=cast.users["steward"], community=cast.community, votes_per_organization=1,
                                       reminder_days_before=2)
    item = services.agenda_item_propose(actor=cast.users["member"], convening=convening, title="A")
    client = client_for("member")
    client.post(agenda_url(cast, convening, "agenda_vote", item.pk), {"delta": "1"}, HTTP_HX_REQUEST="true")
    response = client.post(agenda_url(cast, convening, "agenda_vote", item.pk), {"delta": "1"}, HTTP_HX_REQUEST="true")
    assert "used all its 1 votes" in response.content.decode()
    assert AgendaVote.objects.get().dots == 1


def test_with_the_budget_spent_the_list_offers_only_to_take_votes_back(cast, convening, client_for):
    services.convening_settings_update(actor=cast.users["steward"], community=cast.community, votes_per_organization=1,
                                       reminder_days_before=2)
    voted = services.agenda_item_propose(actor=cast.users["member"], convening=convening, title="Votado")
    services.agenda_item_propose(actor=cast.users["member"], convening=convening, title="Otro")
    services.agenda_vote(actor=cast.users["member"], item=voted, delta=1)
    body = client_for("member").get(agenda_url(cast, convening)).content.decode()
    assert "All your organization's votes are placed" in body.replace("&#x27;", "'")
    assert "Add a vote to" not in body
    assert body.count("Take a vote back from") == 1  # only where there is a dot to take back


def test_the_ranked_list_polls_for_changes(cast, convening, client_for):
    page = client_for("observer").get(agenda_url(cast, convening)).content.decode()
    assert f'hx-get="{agenda_url(cast, convening, "agenda_ranking")}' in page
    assert 'hx-trigger="every 15s"' in page
    assert "+1" not in page  # observers read, they do not vote


def test_the_steward_schedules_topics_into_sessions(cast, convening, steward, client_for):
    joint = services.session_create(actor=steward, convening=convening, title="Plenaria")
    item = services.agenda_item_propose(actor=cast.users["member"], convening=convening, title="A")
    response = client_for("steward").post(agenda_url(cast, convening, "agenda_schedule"), {f"item_{item.pk}": str(joint.pk)})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.session == joint


def test_a_parallel_session_needs_a_peer_group_of_the_community(cast, convening, steward):
    with pytest.raises(ValidationError, match="peer group"):
        services.session_create(actor=steward, convening=convening, title="Mesa", kind="parallel")


def test_agenda_query_count_does_not_grow_with_topics_and_votes(cast, convening, client_for, member_org_two):
    client = client_for("member")
    url = agenda_url(cast, convening)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for index in range(12):
        item = services.agenda_item_propose(actor=cast.users["member"], convening=convening, title=f"Tema {index}")
        if index < 5:
            services.agenda_vote(actor=member_org_two, item=item, delta=1)
            services.agenda_vote(actor=cast.users["member"], item=item, delta=1)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.status_code == 200
    assert len(many) == len(few)


def test_the_agenda_selector_reads_the_viewers_budget(cast, convening):
    item = services.agenda_item_propose(actor=cast.users["member"], convening=convening, title="A")
    services.agenda_vote(actor=cast.users["member"], item=item, delta=1)
    agenda = selectors.agenda_for(access_for(cast.users["member"], cast.community), convening)
    assert (agenda.budget, agenda.spent, agenda.remaining) == (5, 1, 4)
    assert agenda.ranked[0].mine == 1
