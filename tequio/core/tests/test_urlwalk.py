"""Every route and API operation, with every persona, answers as the URL-walk table says."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.urls import path

from tequio import urls as project_urls
from tequio.core import registry
from tequio.testing import urlwalk
from tequio.testing.personas import PERSONAS


def _undeclared(request, slug):
    return HttpResponse("new")


# A project with one route more than the real one, for the test that a new route must be declared.
urlpatterns = [
    *project_urls.urlpatterns,
    path("c/<slug:slug>/undeclared/", _undeclared, name="undeclared"),
]


def test_every_route_and_api_operation_has_an_expectation():
    assert urlwalk.uncovered_routes() == []


def test_the_walk_covers_all_routes_and_api_operations():
    covered, total = urlwalk.coverage()
    assert total > 100
    assert covered == total


def test_no_expectation_is_left_for_a_route_that_is_gone():
    assert urlwalk.stale_expectations() == []


def test_a_new_route_without_an_expectation_fails_the_walk(settings):
    before = set(urlwalk.uncovered_routes())
    settings.ROOT_URLCONF = __name__
    assert set(urlwalk.uncovered_routes()) - before == {"undeclared"}


def test_a_capability_declares_its_routes_in_its_manifest(monkeypatch):
    stale_before = set(urlwalk.stale_expectations())
    capability = registry.Capability(
        label="walkdemo", name="Walk demo",
        url_expectations={"undeclared": {"*": 404, "member": 200, "member:POST": 403, "anonymous@public": 403}},
    )
    monkeypatch.setitem(registry._capabilities, "walkdemo", capability)
    table = urlwalk.expectations()
    assert table[("undeclared", "GET")]["listed"]["member"] == 200
    assert table[("undeclared", "GET")]["listed"]["steward"] == 404
    assert table[("undeclared", "GET")]["public"]["anonymous"] == 403
    assert table[("undeclared", "GET")]["hidden"]["anonymous"] == 404
    assert table[("undeclared", "POST")]["listed"]["member"] == 403
    # Declared, but no such route: the walk reports it instead of silently ignoring it.
    assert set(urlwalk.stale_expectations(table)) - stale_before == {"undeclared GET", "undeclared POST"}


def test_a_manifest_must_give_every_persona_a_status():
    with pytest.raises(ValueError, match="miss"):
        urlwalk.parse_manifest_expectations("x", {"member": 200})


def test_a_sign_in_redirect_is_not_taken_for_another_redirect():
    assert urlwalk.status_matches(urlwalk.LOGIN, 302, "/accounts/login/?next=/c/x/")
    assert not urlwalk.status_matches(302, 302, "/accounts/login/?next=/c/x/")
    assert urlwalk.status_matches(302, 302, "/c/x/goals/")
    assert not urlwalk.status_matches(urlwalk.LOGIN, 302, "/c/x/goals/")


def test_another_communitys_ids_may_only_be_refused():
    assert urlwalk.foreign_expectation(200) == 404
    assert urlwalk.foreign_expectation(302) == 404
    assert urlwalk.foreign_expectation(403) == {403, 404}


# Every persona in the two extremes; in a listed community, outsiders and whoever the
# table says is treated differently there than in a hidden one (members' answers follow
# their role, not the privacy, so walking them three times would only cost time).
WALKS = {"public": None, "hidden": None, "listed": "hidden"}


@pytest.mark.parametrize("privacy", urlwalk.PRIVACIES)
def test_community_pages_and_api_answer_each_persona_as_the_table_says(db, privacy):
    world = urlwalk.build_world(privacy)
    walker = urlwalk.Walker(world)
    outcomes = urlwalk.walk_pages(world, community=True, walker=walker, only_differences_from=WALKS[privacy])
    outcomes += urlwalk.walk_api(world, community=True, walker=walker, only_differences_from=WALKS[privacy])
    walked = {outcome.persona for outcome in outcomes}
    if WALKS[privacy] is None:
        assert walked == set(PERSONAS)
    else:
        assert set(urlwalk.OUTSIDERS) <= walked
    assert all(outcome.ok for outcome in outcomes), urlwalk.failures(outcomes)


@pytest.mark.parametrize("privacy", urlwalk.PRIVACIES)
def test_another_communitys_ids_under_this_address_are_not_found(db, privacy):
    world = urlwalk.build_world(privacy)
    walker = urlwalk.Walker(world)
    lighter = WALKS[privacy]
    outcomes = urlwalk.walk_pages(world, community=True, foreign=True, walker=walker, only_differences_from=lighter)
    outcomes += urlwalk.walk_api(world, community=True, foreign=True, walker=walker, only_differences_from=lighter)
    assert outcomes
    assert all(outcome.ok for outcome in outcomes), urlwalk.failures(outcomes)


def test_in_core_a_members_answer_does_not_depend_on_the_communitys_privacy():
    # What makes the lighter walk of listed communities safe for core's routes.
    for (key, _method), rows in urlwalk.parse_table(urlwalk.TABLE).items():
        for persona in set(PERSONAS) - set(urlwalk.OUTSIDERS):
            assert len({rows[privacy][persona] for privacy in urlwalk.PRIVACIES}) == 1, (key, persona)


def test_site_pages_accounts_languages_and_api_answer_as_the_table_says(db):
    world = urlwalk.build_world()
    walker = urlwalk.Walker(world)
    outcomes = urlwalk.walk_pages(world, community=False, walker=walker)
    outcomes += urlwalk.walk_api(world, community=False, walker=walker)
    assert all(outcome.ok for outcome in outcomes), urlwalk.failures(outcomes)


def test_the_admin_site_is_for_platform_administrators_only(db):
    world = urlwalk.build_world()
    outcomes = urlwalk.walk_admin(world)
    assert all(outcome.ok for outcome in outcomes), urlwalk.failures(outcomes)
    # Only the admin login page lets anyone else in, to sign in.
    assert {outcome.key for outcome in outcomes if outcome.status == 200 and outcome.persona != "admin"} == {"admin:login"}
