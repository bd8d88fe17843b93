"""Asks and offers: an accepted answer becomes a referral or resource-sharing tie."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tequio.network import services
from tequio.network.models import AnswerStatus, Tie, TieOrigin


def test_an_accepted_answer_to_a_need_for_contacts_is_a_referral_from_the_helper(ncast, client):
    client.force_login(ncast.users["member"])
    client.post(reverse("network:asks", args=[ncast.community.slug]),
                {"kind": "need", "topic": "contacts", "title": "Contactos en la fiscalía", "organization": ncast.mine.pk})
    ask = ncast.community.asks.get()
    client.force_login(ncast.partner)
    client.post(reverse("network:ask_detail", args=[ncast.community.slug, ask.pk]),
                {"organization": ncast.theirs.pk, "body": "Conocemos a la fiscal de adolescentes."})
    answer = ask.answers.get()
    assert client.post(reverse("network:answer_accept", args=[ncast.community.slug, answer.pk])).status_code == 403
    client.force_login(ncast.users["member"])
    client.post(reverse("network:answer_accept", args=[ncast.community.slug, answer.pk]))
    answer.refresh_from_db()
    tie = answer.tie
    assert answer.status == AnswerStatus.ACCEPTED
    assert (tie.type, tie.directed, tie.source_id, tie.target_id) == ("referral", True, ncast.theirs.pk, ncast.mine.pk)
    assert tie.origin == TieOrigin.ASK and tie.confirmed and tie.origin_object == answer


def test_an_accepted_answer_to_an_offer_is_resource_sharing_from_the_offerer(ncast):
    ask = services.ask_create(actor=ncast.users["member"], community=ncast.community, organization=ncast.mine,
                              kind="offer", topic="expertise", title="Talleres de mediación")
    answer = services.answer_create(actor=ncast.partner, ask=ask, organization=ncast.theirs, body="Nos interesa")
    answer = services.answer_accept(actor=ncast.users["member"], answer=answer)
    assert (answer.tie.type, answer.tie.source_id) == ("resource_sharing", ncast.mine.pk)
    with pytest.raises(ValidationError, match="already been decided"):
        services.answer_accept(actor=ncast.users["member"], answer=answer)
    assert Tie.objects.count() == 1


def test_an_organization_cannot_answer_its_own_ask_nor_answer_twice(ncast):
    ask = services.ask_create(actor=ncast.users["member"], community=ncast.community, organization=ncast.mine,
                              kind="need", topic="resources", title="Sala para talleres")
    with pytest.raises(ValidationError, match="its own ask"):
        services.answer_create(actor=ncast.users["member"], ask=ask, organization=ncast.mine, body="Nosotros")
    services.answer_create(actor=ncast.partner, ask=ask, organization=ncast.theirs, body="Tenemos una")
    with pytest.raises(ValidationError, match="already answered"):
        services.answer_create(actor=ncast.partner, ask=ask, organization=ncast.theirs, body="Otra vez")


def test_a_closed_ask_takes_no_answers_and_a_declined_answer_makes_no_tie(ncast):
    ask = services.ask_create(actor=ncast.users["member"], community=ncast.community, organization=ncast.mine,
                              kind="need", topic="information", title="Datos de violencia escolar")
    answer = services.answer_create(actor=ncast.partner, ask=ask, organization=ncast.theirs, body="Tenemos algunos")
    services.answer_decline(actor=ncast.users["member"], answer=answer)
    services.ask_close(actor=ncast.users["member"], ask=ask)
    with pytest.raises(ValidationError, match="closed"):
        services.answer_create(actor=ncast.users["convener"], ask=ask, organization=ncast.extra[0], body="Tarde")
    assert not Tie.objects.exists()


def test_allies_post_and_answer_observers_do_not(ncast, client):
    client.force_login(ncast.users["ally"])
    assert client.get(reverse("network:asks", args=[ncast.community.slug])).status_code == 200
    client.force_login(ncast.users["observer"])
    assert client.get(reverse("network:asks", args=[ncast.community.slug])).status_code == 403
