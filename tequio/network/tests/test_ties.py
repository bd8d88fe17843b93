"""Recording ties, and the other organization confirming or declining them."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from tequio.core.models import AuditEvent
from tequio.network import services
from tequio.network.models import Tie, TieOrigin, TieStatus

from .conftest import DAY


def record(ncast, **overrides):
    fields = {"actor": ncast.users["member"], "community": ncast.community, "source": ncast.mine,
              "target": ncast.theirs, "type": "joint_activity", "started_on": DAY}
    fields.update(overrides)
    return services.tie_record(**fields)


def test_it_confirms_the_recorders_side_and_waits_for_the_other(ncast):
    tie = record(ncast)
    assert tie.source_confirmed_at is not None or tie.target_confirmed_at is not None
    mine_side = tie.side_of(ncast.mine.pk)
    other_side = tie.side_of(ncast.theirs.pk)
    assert getattr(tie, f"{mine_side}_confirmed_at") is not None
    assert getattr(tie, f"{other_side}_confirmed_at") is None
    assert tie.status == TieStatus.PENDING


def test_the_other_organization_confirms_and_the_tie_counts_as_confirmed(ncast):
    tie = record(ncast)
    tie = services.tie_confirm(actor=ncast.partner, tie=tie, organization=ncast.theirs)
    assert tie.status == TieStatus.CONFIRMED
    assert Tie.objects.confirmed().filter(pk=tie.pk).exists()


def test_declining_takes_the_tie_out_of_the_network_and_confirming_withdraws_the_decline(ncast):
    tie = record(ncast)
    tie = services.tie_decline(actor=ncast.partner, tie=tie, organization=ncast.theirs)
    assert tie.status == TieStatus.DECLINED
    assert not Tie.objects.in_network().filter(pk=tie.pk).exists()
    assert AuditEvent.objects.filter(action="network.tie.decline", target_id=str(tie.pk)).exists()
    tie = services.tie_confirm(actor=ncast.partner, tie=tie, organization=ncast.theirs)
    assert tie.status == TieStatus.CONFIRMED


def test_an_undirected_tie_has_one_spelling_whatever_the_order(ncast):
    tie = record(ncast, source=ncast.theirs, target=ncast.mine)
    assert tie.source_id < tie.target_id
    assert tie.side_of(ncast.mine.pk) is not None


def test_referrals_are_directed_by_default_and_keep_their_direction(ncast):
    tie = record(ncast, source=ncast.theirs, target=ncast.mine, type="referral")
    assert tie.directed
    assert (tie.source_id, tie.target_id) == (ncast.theirs.pk, ncast.mine.pk)


# --- bad input: a clear, translated error and nothing changed ------------------------------------


def _refused(call, expected: str):
    before = Tie.objects.count()
    with pytest.raises(ValidationError) as error:
        call()
    assert expected in " ".join(error.value.messages)
    assert Tie.objects.count() == before


def test_a_tie_to_an_organization_of_another_community_is_refused(ncast):
    _refused(lambda: record(ncast, target=ncast.cast.foreign_organization), "That organization is not part of this community.")


def test_a_self_tie_is_refused(ncast):
    _refused(lambda: record(ncast, target=ncast.mine), "An organization cannot have a tie with itself.")


def test_a_duplicate_tie_is_refused_in_either_order(ncast):
    record(ncast)
    _refused(lambda: record(ncast), "This tie is already recorded")
    _refused(lambda: record(ncast, source=ncast.theirs, target=ncast.mine, started_on=date(2025, 1, 1)),
             "This tie is already recorded")


def test_a_tie_that_ended_before_may_be_recorded_again(ncast):
    record(ncast, ended_on=date(2024, 6, 1))
    again = record(ncast, started_on=date(2024, 7, 1))
    assert again.pk


def test_the_opposite_direction_of_a_directed_tie_is_not_a_duplicate(ncast):
    record(ncast, type="referral")
    back = record(ncast, type="referral", source=ncast.theirs, target=ncast.mine)
    assert back.directed


def test_an_end_before_the_start_is_refused(ncast):
    _refused(lambda: record(ncast, ended_on=date(2020, 1, 1)), "A tie cannot end before it starts.")


def test_errors_are_translated(ncast, spanish):
    spanish("An organization cannot have a tie with itself.", "Una organización no puede tener un vínculo consigo misma.")
    with translation.override("es"):
        _refused(lambda: record(ncast, target=ncast.mine), "no puede tener un vínculo consigo misma")


def test_a_new_type_must_be_confirmed_again_by_the_other_side(ncast):
    tie = record(ncast)
    tie = services.tie_confirm(actor=ncast.partner, tie=tie, organization=ncast.theirs)
    tie = services.tie_update(actor=ncast.users["member"], tie=tie, type="formal_alliance")
    assert tie.status == TieStatus.PENDING
    assert getattr(tie, f"{tie.side_of(ncast.mine.pk)}_confirmed_at") is not None
    ended = services.tie_update(actor=ncast.partner, tie=tie, ended_on=date(2025, 1, 1))
    assert ended.ended_on == date(2025, 1, 1)


def test_removal_is_soft_and_audited(ncast):
    tie = record(ncast)
    services.tie_remove(actor=ncast.users["steward"], tie=tie)
    assert Tie.objects.filter(pk=tie.pk, removed_at__isnull=False).exists()
    assert AuditEvent.objects.filter(action="network.tie.remove").exists()


# --- the public entry point for convenings --------------------------------------------------------


def test_a_connection_made_at_a_convening_becomes_a_tie_once(ncast):
    tie, created = services.tie_record_from_convening(
        actor=ncast.users["steward"], community=ncast.community, organization_a=ncast.theirs,
        organization_b=ncast.extra[0], on=DAY, label="Encuentro en Hermosillo",
    )
    assert created and tie.origin == TieOrigin.CONVENING and tie.started_on == DAY
    assert tie.origin_label == "Encuentro en Hermosillo"
    again, created_again = services.tie_record_from_convening(
        actor=ncast.users["steward"], community=ncast.community, organization_a=ncast.extra[0],
        organization_b=ncast.theirs, on=DAY,
    )
    assert not created_again and again.pk == tie.pk


def test_a_convening_reference_is_kept_without_importing_the_convenings_app(ncast):
    goal = __import__("tequio.core.services", fromlist=["goal_create"]).goal_create(
        actor=ncast.users["convener"], community=ncast.community, title="Any model works as a reference")
    tie, _created = services.tie_record_from_convening(
        actor=ncast.users["steward"], community=ncast.community, organization_a=ncast.theirs,
        organization_b=ncast.extra[1], on=DAY, convening=goal,
    )
    assert tie.origin_object == goal
    assert tie.origin_label == str(goal)


# --- pages ------------------------------------------------------------------------------------------


def test_a_member_records_a_tie_for_their_organization_and_the_partner_confirms_it(ncast, client):
    client.force_login(ncast.users["member"])
    url = reverse("network:tie_create", args=[ncast.community.slug])
    response = client.post(url, {"source": ncast.mine.pk, "target": ncast.theirs.pk, "type": "data_sharing",
                                 "started_on": "2024-02-01"})
    tie = Tie.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("network:tie_detail", args=[ncast.community.slug, tie.pk])
    assert tie.status == TieStatus.PENDING

    client.force_login(ncast.partner)
    page = client.get(reverse("network:ties", args=[ncast.community.slug]), {"status": "mine"})
    assert tie in page.context["page"].object_list
    client.post(reverse("network:tie_confirm", args=[ncast.community.slug, tie.pk]))
    tie.refresh_from_db()
    assert tie.status == TieStatus.CONFIRMED


def test_a_member_cannot_record_a_tie_between_two_other_organizations(ncast, client):
    client.force_login(ncast.users["member"])
    response = client.post(reverse("network:tie_create", args=[ncast.community.slug]),
                           {"source": ncast.theirs.pk, "target": ncast.extra[0].pk, "type": "joint_activity"})
    assert response.status_code in {200, 403}
    assert not Tie.objects.exists()


def test_a_steward_records_any_tie_and_neither_side_is_confirmed_for_them(ncast, client):
    client.force_login(ncast.users["convener"])
    client.post(reverse("network:tie_create", args=[ncast.community.slug]),
                {"source": ncast.theirs.pk, "target": ncast.extra[0].pk, "type": "joint_activity"})
    tie = Tie.objects.get()
    assert tie.source_confirmed_at is None and tie.target_confirmed_at is None


def test_only_the_organizations_people_may_confirm(ncast, client):
    tie = record(ncast)
    client.force_login(ncast.users["steward"])  # a steward of the *recording* organization
    response = client.post(reverse("network:tie_confirm", args=[ncast.community.slug, tie.pk]))
    assert response.status_code == 302  # confirms its own side again, not the partner's
    tie.refresh_from_db()
    assert getattr(tie, f"{tie.side_of(ncast.theirs.pk)}_confirmed_at") is None
    client.force_login(ncast.users["convener"])
    assert client.post(reverse("network:tie_confirm", args=[ncast.community.slug, tie.pk])).status_code == 403


def test_the_form_shows_a_duplicate_as_an_error_on_the_page(ncast, client):
    record(ncast)
    client.force_login(ncast.users["member"])
    response = client.post(reverse("network:tie_create", args=[ncast.community.slug]),
                           {"source": ncast.mine.pk, "target": ncast.theirs.pk, "type": "joint_activity",
                            "started_on": "2024-05-01"})
    assert response.status_code == 200
    assert "This tie is already recorded" in response.content.decode()
    assert Tie.objects.count() == 1


def test_observers_see_ties_but_cannot_record(ncast, client):
    record(ncast)
    client.force_login(ncast.users["observer"])
    assert client.get(reverse("network:ties", args=[ncast.community.slug])).status_code == 200
    assert client.get(reverse("network:tie_create", args=[ncast.community.slug])).status_code == 403


def test_the_community_home_tells_the_other_organization_a_tie_waits_for_it(ncast, client):
    record(ncast)
    client.force_login(ncast.partner)
    page = client.get(reverse("core:community_home", args=[ncast.community.slug]))
    assert "1 tie waits for your organization" in page.content.decode()
    client.force_login(ncast.users["member"])
    page = client.get(reverse("core:community_home", args=[ncast.community.slug]))
    assert "waits for your organization" not in page.content.decode()
