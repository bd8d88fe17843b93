"""The pages: taking part on a phone (with and without JavaScript), moderation, the map, the report."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse

from tequio.consultations import services
from tequio.consultations.models import (
    AnalysisSnapshot,
    Consultation,
    InvitationLink,
    Participant,
    Statement,
    StatementStatus,
    Vote,
)
from tequio.consultations.permissions import cookie_name


def url(name: str, consultation: Consultation, *args) -> str:
    return reverse(f"consultations:{name}", args=[consultation.community.slug, consultation.pk, *args])


def shown_statement(response) -> Statement:
    match = re.search(rb'name="statement" value="(\d+)"', response.content)
    assert match, response.content.decode()[:2000]
    return Statement.objects.get(pk=int(match.group(1)))


def test_a_member_answers_one_statement_after_another_without_javascript(client_for, consultation):
    client = client_for("member")
    seen = []
    for _number in range(3):
        page = client.get(url("vote", consultation))
        statement = shown_statement(page)
        assert statement.pk not in seen
        seen.append(statement.pk)
        response = client.post(url("vote", consultation), {"statement": statement.pk, "vote": "agree"})
        assert response.status_code == 302 and response["Location"] == url("vote", consultation) + "#vote-card"
    page = client.get(url("vote", consultation))
    assert b"3 of 6 statements answered" in page.content
    assert Vote.objects.filter(participant__user__email="member@cast.test", value=1).count() == 3


def test_with_htmx_the_vote_answers_with_the_next_card_in_place(client_for, consultation):
    client = client_for("member")
    first = shown_statement(client.get(url("vote", consultation)))
    response = client.post(url("vote", consultation), {"statement": first.pk, "vote": "disagree"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith('<div id="vote-card"') and "<html" not in html
    assert "1 of 6 statements answered" in html
    assert shown_statement(response).pk != first.pk
    assert Vote.objects.get(statement=first).value == -1
    # The button pressed is gone with the old card: the new statement takes the focus.
    assert re.search(r'<blockquote[^>]*tabindex="-1" autofocus>', html)


def test_a_full_page_takes_no_focus_away_from_the_top(client_for, consultation):
    page = client_for("member").get(url("vote", consultation)).content.decode()
    assert "<blockquote" in page and "autofocus" not in page


def test_with_htmx_a_refused_vote_puts_the_focus_on_the_error(client_for, consultation):
    client = client_for("member")
    response = client.post(url("vote", consultation), {"statement": 10**9, "vote": "agree"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert re.search(r'<div class="errors" role="alert" tabindex="-1" autofocus>', html)
    assert html.count("autofocus") == 1


def test_reloading_the_page_shows_the_same_statement(client_for, consultation):
    client = client_for("member")
    assert shown_statement(client.get(url("vote", consultation))) == shown_statement(client.get(url("vote", consultation)))


def test_the_next_statement_follows_the_routing_priority(client_for, voters, consultation):
    statements = list(consultation.statements.order_by("number"))
    favourite = statements[4]
    priorities = {str(statement.pk): 1e-9 for statement in statements}
    priorities[str(favourite.pk)] = 1e9
    AnalysisSnapshot.objects.filter(consultation=consultation).update(priorities=priorities)
    for persona in ("member", "ally", "steward"):
        assert shown_statement(client_for(persona).get(url("vote", consultation))) == favourite


def test_rejected_statements_are_never_shown(client_for, consultation, steward):
    keep = consultation.statements.order_by("number").first()
    for statement in consultation.statements.exclude(pk=keep.pk):
        services.statement_moderate(actor=steward, statement=statement, status=StatementStatus.REJECTED)
    client = client_for("member")
    assert shown_statement(client.get(url("vote", consultation))) == keep
    client.post(url("vote", consultation), {"statement": keep.pk, "vote": "pass"})
    page = client.get(url("vote", consultation))
    assert b"You have answered every statement." in page.content
    assert b'name="statement"' not in page.content


def test_observers_read_the_results_but_do_not_vote(client_for, voters, consultation):
    client = client_for("observer")
    assert client.get(url("vote", consultation)).status_code == 403
    assert client.get(url("results", consultation)).status_code == 200


def test_a_member_writes_a_statement_and_goes_back_to_voting(client_for, consultation):
    client = client_for("member")
    response = client.post(url("statement_create", consultation), {"text": "Queremos más becas."}, follow=True)
    assert response.redirect_chain[-1][0] == url("vote", consultation)
    assert "Your statement is now part of the conversation." in response.content.decode()
    assert Statement.objects.filter(text="Queremos más becas.", status="accepted").exists()


def test_statements_wait_in_the_moderation_queue_and_rejected_ones_stay_listed(client_for, consultation, steward):
    Consultation.objects.filter(pk=consultation.pk).update(moderation_required=True)
    member = client_for("member")
    response = member.post(url("statement_create", consultation), {"text": "Una propuesta nueva."}, follow=True)
    assert "once a moderator accepts it" in response.content.decode()
    statement = Statement.objects.get(text="Una propuesta nueva.")
    steward_client = client_for("steward")
    queue = steward_client.get(url("moderation", consultation))
    assert "Una propuesta nueva." in queue.content.decode()
    assert client_for("member").get(url("moderation", consultation)).status_code == 403
    response = steward_client.post(url("statement_moderate", consultation, statement.pk), {"status": "rejected"})
    assert response.status_code == 302
    statement.refresh_from_db()
    assert statement.status == StatementStatus.REJECTED
    listed = steward_client.get(url("moderation", consultation)).content.decode()
    assert "Nothing is waiting." in listed and "Una propuesta nueva." in listed


def test_the_results_show_the_map_groups_and_where_the_viewer_stands(client_for, voters, consultation):
    client = Client()
    client.force_login(voters[0])
    html = client.get(url("results", consultation)).content.decode()
    assert html.count("<polygon") == 3
    assert html.count("<circle") >= 15
    assert "You are in Group" in html
    for heading in ("What sets each group apart", "Where the groups differ"):
        assert heading in html
    # Numbers in the SVG are never localized (a Spanish "12,5" would break the drawing).
    spanish = Client(HTTP_ACCEPT_LANGUAGE="es")
    spanish.force_login(voters[0])
    svg = re.search(r"<svg viewBox.*?</svg>", spanish.get(url("results", consultation)).content.decode(), re.S).group(0)
    assert re.findall(r'cx="([^"]*)"', svg) and all(re.fullmatch(r"-?\d+(\.\d+)?", value)
                                                    for value in re.findall(r'c[xy]="([^"]*)"', svg))
    for points in re.findall(r'points="([^"]*)"', svg):
        assert re.fullmatch(r"(-?\d+(\.\d+)?,-?\d+(\.\d+)? ?)+", points), points


def test_a_small_consultation_brings_its_map_up_to_date_when_it_is_read(client_for, consultation, cast):
    from .conftest import add_members, vote_in_camps

    vote_in_camps(consultation, add_members(cast, 15, prefix="late"))
    assert Consultation.objects.get(pk=consultation.pk).analysis_queued
    html = client_for("member").get(url("results", consultation)).content.decode()
    assert html.count("<polygon") == 3
    assert not Consultation.objects.get(pk=consultation.pk).analysis_queued


def test_the_report_is_written_in_the_consultations_language(client_for, voters, consultation):
    response = client_for("member").get(url("report", consultation), HTTP_ACCEPT_LANGUAGE="en")
    assert response["Content-Language"] == "es"
    assert '<html lang="es">' in response.content.decode()
    Consultation.objects.filter(pk=consultation.pk).update(language="en")
    response = client_for("member").get(url("report", consultation), HTTP_ACCEPT_LANGUAGE="es")
    html = response.content.decode()
    assert response["Content-Language"] == "en" and '<html lang="en">' in html
    assert "15 people took part and cast 90 votes on 6 statements." in html
    assert "Their votes fall into 3 opinion groups" in html
    assert "Participation over time" in html


def test_someone_invited_by_link_takes_part_without_an_account(consultation, steward):
    _link, code = services.invitation_link_create(actor=steward, consultation=consultation, max_uses=3)
    visitor = Client()
    join = reverse("consultations:join_link", args=[consultation.community.slug, services.format_code(code)])
    page = visitor.get(join)
    assert page.status_code == 200 and consultation.question in page.content.decode()
    assert InvitationLink.objects.get().uses == 0  # reading the link uses nothing
    response = visitor.post(join)
    assert response.status_code == 302 and response["Location"] == url("vote", consultation)
    cookie = response.cookies[cookie_name(consultation.pk)]
    assert cookie["httponly"] and cookie["path"] == "/c/"
    participant = Participant.objects.get()
    assert participant.user is None and participant.token_hash != cookie.value
    statement = shown_statement(visitor.get(url("vote", consultation)))
    visitor.post(url("vote", consultation), {"statement": statement.pk, "vote": "agree"})
    assert Vote.objects.get().participant == participant
    # The consultation, yes; the rest of the community, no.
    assert visitor.get(url("results", consultation)).status_code == 200
    assert visitor.get(reverse("core:community_home", args=[consultation.community.slug])).status_code == 404
    assert visitor.get(url("moderation", consultation)).status_code == 403
    # Coming back through the link continues without using it again.
    assert visitor.post(join).status_code == 302 and InvitationLink.objects.get().uses == 1


def test_a_code_typed_by_hand_leads_to_its_consultation_only(consultation, steward, cast):
    _link, code = services.invitation_link_create(actor=steward, consultation=consultation, max_uses=3)
    visitor = Client()
    typed = f" {code[:5].lower()} {code[5:]} "
    response = visitor.post(reverse("consultations:join", args=[cast.community.slug]), {"code": typed})
    assert response["Location"] == reverse("consultations:join_link", args=[cast.community.slug, services.format_code(code)])
    elsewhere = visitor.post(reverse("consultations:join", args=[cast.other_community.slug]), {"code": code})
    assert elsewhere.status_code == 200 and "This code is not valid." in elsewhere.content.decode()
    assert visitor.get(reverse("consultations:join_link", args=[cast.other_community.slug, code])).status_code == 404


def test_a_draft_is_for_the_people_who_run_it(client_for, cast, steward):
    draft = services.consultation_create(actor=steward, community=cast.community, question="¿Borrador?")
    assert client_for("member").get(url("consultation_detail", draft)).status_code == 404
    assert client_for("steward").get(url("consultation_detail", draft)).status_code == 200
    listing = client_for("member").get(reverse("consultations:consultation_list", args=[cast.community.slug]))
    assert "¿Borrador?" not in listing.content.decode()


def test_a_steward_creates_opens_and_closes_a_consultation(client_for, cast):
    client = client_for("steward")
    response = client.post(reverse("consultations:consultation_create", args=[cast.community.slug]), {
        "question": "¿Qué necesitan las juventudes?", "context": "Para el encuentro.", "language": "es",
        "audience": "members", "seed_statements": "Becas\nEspacios seguros\n", "open_now": "on",
    })
    consultation = Consultation.objects.get(question="¿Qué necesitan las juventudes?")
    assert response["Location"] == url("consultation_detail", consultation)
    assert consultation.state == "open" and consultation.statements.count() == 2
    client.post(url("consultation_state", consultation), {"state": "closed"})
    assert Consultation.objects.get(pk=consultation.pk).state == "closed"


def test_invitation_codes_are_shown_once_to_the_steward(client_for, consultation):
    client = client_for("steward")
    html = client.post(url("invitations", consultation), {"label": "Taller", "max_uses": "25"}).content.decode()
    code = re.search(r'<p class="code">([A-Z0-9-]+)</p>', html).group(1)
    assert services.invitation_link_for_code(code) == InvitationLink.objects.get()
    assert code not in client.get(url("invitations", consultation)).content.decode()


def test_the_community_home_shows_the_open_consultation(client_for, consultation, cast):
    html = client_for("member").get(reverse("core:community_home", args=[cast.community.slug])).content.decode()
    assert consultation.question in html and url("vote", consultation) in html


def test_the_statement_form_is_in_the_readers_language(client_for, consultation):
    client = client_for("member")
    spanish = client.get(url("statement_create", consultation), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Una idea con la que otras personas puedan estar de acuerdo o en desacuerdo, en máximo 300 caracteres." in spanish
    english = client.get(url("statement_create", consultation), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "One idea that others can agree or disagree with, in at most 300 characters." in english
