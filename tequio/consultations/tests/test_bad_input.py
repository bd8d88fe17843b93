"""Bad input gets a clear error and changes nothing: pages, API and the Pol.is importer."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from tequio.consultations import services
from tequio.consultations.models import (
    STATEMENT_MAX_LENGTH,
    Consultation,
    InvitationLink,
    Participant,
    Statement,
    StatementStatus,
    Vote,
)
from tequio.consultations.permissions import cookie_name
from tequio.consultations.polis import PolisImportError, consultation_import_polis

from .test_views import url


def _api(client, path: str, body: dict):
    return client.post(path, json.dumps(body), content_type="application/json")


def _vote_path(consultation, statement_pk: int) -> str:
    return f"/api/v1/communities/{consultation.community.slug}/consultations/{consultation.pk}/statements/{statement_pk}/vote"


def _snapshot():
    return (Vote.objects.count(), Statement.objects.count(), Participant.objects.count(),
            list(InvitationLink.objects.values_list("uses", flat=True)))


def test_a_vote_on_a_closed_consultation_is_refused(client_for, consultation, steward):
    statement = consultation.statements.first()
    services.consultation_set_state(actor=steward, consultation=consultation, state="closed")
    before = _snapshot()
    client = client_for("member")
    page = client.post(url("vote", consultation), {"statement": statement.pk, "vote": "agree"})
    assert page.status_code == 200
    assert "This consultation is closed: it takes no more votes." in page.content.decode()
    api = _api(client, _vote_path(consultation, statement.pk), {"vote": "agree"})
    assert api.status_code == 400
    assert api.json() == {"message": "This consultation is closed: it takes no more votes.", "fields": {}}
    assert _snapshot() == before


def test_a_vote_after_the_closing_date_is_refused(client_for, consultation):
    Consultation.objects.filter(pk=consultation.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    statement = consultation.statements.first()
    response = _api(client_for("member"), _vote_path(consultation, statement.pk), {"vote": "agree"})
    assert response.status_code == 400 and "closed" in response.json()["message"]
    assert not Vote.objects.exists()


@pytest.mark.parametrize("status", [StatementStatus.REJECTED, StatementStatus.SPAM])
def test_a_vote_on_a_withdrawn_statement_is_refused(client_for, consultation, steward, status):
    statement = consultation.statements.first()
    services.statement_moderate(actor=steward, statement=statement, status=status)
    before = _snapshot()
    client = client_for("member")
    page = client.post(url("vote", consultation), {"statement": statement.pk, "vote": "agree"})
    assert "This statement was withdrawn by the moderators, so it takes no votes." in page.content.decode()
    api = _api(client, _vote_path(consultation, statement.pk), {"vote": "disagree"})
    assert api.status_code == 400
    assert api.json()["fields"] == {"statement": ["This statement was withdrawn by the moderators, so it takes no votes."]}
    assert _snapshot() == before


def test_a_vote_on_an_unknown_statement_is_refused(client_for, consultation, cast, steward):
    elsewhere = services.consultation_create(actor=steward, community=cast.community, question="¿Otra?",
                                             state="open", seed_statements=["Otra cosa"])
    foreign = elsewhere.statements.get()
    before = _snapshot()
    client = client_for("member")
    for statement_pk in (foreign.pk, 987654):
        page = client.post(url("vote", consultation), {"statement": statement_pk, "vote": "agree"})
        assert "This statement is not part of this consultation." in page.content.decode()
    assert _api(client, _vote_path(consultation, foreign.pk), {"vote": "agree"}).status_code == 400
    assert _snapshot() == before


def test_a_vote_that_is_not_agree_disagree_or_pass_is_refused(client_for, consultation):
    statement = consultation.statements.first()
    client = client_for("member")
    page = client.post(url("vote", consultation), {"statement": statement.pk, "vote": "maybe"})
    assert "Select a valid choice." in page.content.decode()
    api = _api(client, _vote_path(consultation, statement.pk), {"vote": "maybe"})
    assert api.status_code == 422 and "vote" in api.json()["fields"]
    assert not Vote.objects.exists()


@pytest.mark.parametrize("text", ["", "   ", "¡¿?!"])
def test_an_empty_statement_is_refused(client_for, consultation, text):
    before = _snapshot()
    page = client_for("member").post(url("statement_create", consultation), {"text": text})
    assert page.status_code == 200
    assert "Write a statement: it cannot be empty." in page.content.decode()
    assert _snapshot() == before


def test_an_over_long_statement_is_refused_with_its_length(client_for, consultation):
    text = "a" * (STATEMENT_MAX_LENGTH + 5)
    before = _snapshot()
    client = client_for("member")
    page = client.post(url("statement_create", consultation), {"text": text})
    assert (f"A statement can have at most {STATEMENT_MAX_LENGTH} characters (this one has {STATEMENT_MAX_LENGTH + 5})."
            in page.content.decode())
    api = _api(client, f"/api/v1/communities/{consultation.community.slug}/consultations/{consultation.pk}/statements",
               {"text": text})
    assert api.status_code == 422
    assert api.json()["fields"] == {"text": [f"Ensure this value has at most {STATEMENT_MAX_LENGTH} characters."]}
    assert _snapshot() == before


def test_a_duplicate_statement_is_refused_whatever_its_case_accents_or_punctuation(client_for, consultation):
    seed = consultation.statements.order_by("number").first().text  # "Debemos priorizar la prevención con jóvenes..."
    twin = seed.upper().replace("Ó", "O").rstrip(".") + "!!"
    before = _snapshot()
    client = client_for("member")
    page = client.post(url("statement_create", consultation), {"text": twin})
    assert "This statement is already part of the consultation." in page.content.decode()
    api = _api(client, f"/api/v1/communities/{consultation.community.slug}/consultations/{consultation.pk}/statements",
               {"text": twin})
    assert api.status_code == 400
    assert api.json()["fields"] == {"text": ["This statement is already part of the consultation."]}
    assert _snapshot() == before


def test_a_statement_on_a_closed_consultation_is_refused(client_for, consultation, steward):
    services.consultation_set_state(actor=steward, consultation=consultation, state="closed")
    page = client_for("member").post(url("statement_create", consultation), {"text": "Una idea nueva."})
    assert "This consultation is not open" in page.content.decode()
    assert not Statement.objects.filter(text="Una idea nueva.").exists()


def test_an_invitation_code_used_past_its_limit_is_refused(consultation, steward, client):
    _link, code = services.invitation_link_create(actor=steward, consultation=consultation, max_uses=1)
    join = reverse("consultations:join_link", args=[consultation.community.slug, services.format_code(code)])
    from django.test import Client

    assert Client().post(join).status_code == 302
    before = _snapshot()
    response = client.post(join)
    assert response.status_code == 200
    assert ("This invitation has already been used by 1 person, as many as it allows. Ask for a new one."
            in response.content.decode())
    assert _snapshot() == before
    assert cookie_name(consultation.pk) not in response.cookies
    # Opening the link says so too, before anyone presses a button.
    page = client.get(join).content.decode()
    assert "as many as it allows. Ask for a new one." in page and ">Start</button>" not in page


def test_a_withdrawn_link_and_a_closed_consultation_say_why_nobody_may_join(consultation, steward, client):
    link, code = services.invitation_link_create(actor=steward, consultation=consultation, max_uses=5)
    join = reverse("consultations:join_link", args=[consultation.community.slug, services.format_code(code)])
    services.invitation_link_revoke(actor=steward, link=link)
    assert "This invitation has been withdrawn by the people who run the consultation." in client.get(join).content.decode()
    assert client.post(join).status_code == 200
    services.consultation_set_state(actor=steward, consultation=consultation, state="closed")
    assert "This consultation is not open: it takes no votes or statements now." in client.get(join).content.decode()
    assert not Participant.objects.exists() and InvitationLink.objects.get().uses == 0


def test_an_unknown_invitation_code_is_refused(cast):
    from django.test import Client

    response = Client().post(reverse("consultations:join", args=[cast.community.slug]), {"code": "ABCDE-FGHJK"})
    assert "This code is not valid. Check it and try again." in response.content.decode()


# --- Pol.is files ------------------------------------------------------------------------------

COMMENTS = "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n"
VOTES = "timestamp,datetime,comment-id,voter-id,vote\n"


def _directory(tmp_path, comments: str, votes: str):
    (tmp_path / "comments.csv").write_text(COMMENTS + comments, encoding="utf-8")
    (tmp_path / "votes.csv").write_text(VOTES + votes, encoding="utf-8")
    return tmp_path


def test_a_malformed_polis_vote_is_reported_by_line_and_column_and_nothing_is_created(cast, steward, tmp_path):
    directory = _directory(
        tmp_path, "1,x,0,0,1,0,1,Primera idea\n2,x,1,0,0,0,1,Segunda idea\n",
        "1,x,0,0,1\n2,x,1,0,2\n3,x,7,1,1\n",
    )
    before = (Consultation.objects.count(), _snapshot())
    with pytest.raises(PolisImportError) as error:
        consultation_import_polis(actor=steward, community=cast.community, directory=directory)
    assert error.value.messages == [
        "votes.csv, line 3, column 5: “vote” must be -1, 0 or 1, not 2",
        "votes.csv, line 4, column 3: comment-id 7 is not in comments.csv",
    ]
    assert (Consultation.objects.count(), _snapshot()) == before


def test_a_statement_without_text_is_reported_by_line_and_column(cast, steward, tmp_path):
    directory = _directory(tmp_path, '1,x,0,0,1,0,1,Una idea\n2,x,1,0,0,0,1,"  "\n', "1,x,0,0,1\n")
    with pytest.raises(PolisImportError) as error:
        consultation_import_polis(actor=steward, community=cast.community, directory=directory)
    assert error.value.messages == ["comments.csv, line 3, column 8: the statement text is empty"]
    assert not Consultation.objects.exists()


def test_the_command_reports_a_malformed_file_and_a_missing_one(cast, tmp_path):
    # Without --actor the command acts as the first platform administrator (the cast has one).
    directory = _directory(tmp_path, "1,x,zero,0,1,0,1,Una idea\n", "1,x,0,0,1\n")
    with pytest.raises(CommandError, match=r"comments.csv, line 2, column 3: “comment-id” must be a whole number, not “zero”"):
        call_command("consultations", "import-polis", str(directory), "--community", cast.community.slug)
    (directory / "votes.csv").unlink()
    with pytest.raises(CommandError, match=r"has no votes\.csv"):
        call_command("consultations", "import-polis", str(directory), "--community", cast.community.slug)
    assert not Consultation.objects.exists()


def test_a_polis_file_that_is_not_utf8_is_reported_where_the_bad_byte_is(cast, steward, tmp_path):
    (tmp_path / "comments.csv").write_bytes((COMMENTS + "1,x,0,0,1,0,1,Una idea\n2,x,1,0,0,0,1,Acci").encode()
                                            + b"\xf3n\n")
    (tmp_path / "votes.csv").write_text(VOTES + "1,x,0,0,1\n", encoding="utf-8")
    with pytest.raises(PolisImportError) as error:
        consultation_import_polis(actor=steward, community=cast.community, directory=tmp_path)
    assert error.value.messages == [
        "comments.csv, line 3, column 8: this is not UTF-8 text (save the file as CSV UTF-8 and try again)"]
    assert not Consultation.objects.exists()


def test_a_polis_quote_that_never_closes_is_reported_instead_of_swallowing_the_rest(cast, steward, tmp_path):
    # Python's csv reader would read every later row into this one statement.
    directory = _directory(tmp_path, '1,x,0,0,1,0,1,Una idea\n2,x,1,0,0,0,1,"Otra idea\n3,x,2,0,0,0,1,Tercera\n',
                           "1,x,0,0,1\n")
    with pytest.raises(PolisImportError) as error:
        consultation_import_polis(actor=steward, community=cast.community, directory=directory)
    assert error.value.messages == ["comments.csv, line 3, column 8: a quoted field opens here and never closes"]
    assert not Consultation.objects.exists()


def test_polis_errors_are_reported_in_the_readers_language(cast, steward, tmp_path):
    from django.utils import translation

    directory = _directory(tmp_path, "1,x,0,0,1,0,1,Primera idea\n", "1,x,0,0,3\n")
    with translation.override("es"), pytest.raises(PolisImportError) as error:
        consultation_import_polis(actor=steward, community=cast.community, directory=directory)
    assert error.value.messages == ["votes.csv, línea 2, columna 5: “vote” debe ser -1, 0 o 1, no 3"]


def test_a_vote_before_the_opening_date_says_it_is_not_open_yet(client_for, consultation):
    Consultation.objects.filter(pk=consultation.pk).update(opens_at=timezone.now() + timedelta(days=1))
    statement = consultation.statements.first()
    response = _api(client_for("member"), _vote_path(consultation, statement.pk), {"vote": "agree"})
    assert response.status_code == 400 and response.json()["message"] == "This consultation is not open yet."
    spanish = client_for("member").post(_vote_path(consultation, statement.pk), json.dumps({"vote": "agree"}),
                                        content_type="application/json", HTTP_ACCEPT_LANGUAGE="es")
    assert spanish.json()["message"] == "Esta consulta todavía no está abierta."
    assert not Vote.objects.exists()


def _spanish(message: str, **params) -> str:
    from django.utils import translation

    with translation.override("es"):
        translated = translation.gettext(message)
    assert translated != message, f"no Spanish for {message!r}"
    return translated % params if params else translated


def test_every_bad_input_is_refused_in_spanish_for_a_spanish_reader(consultation, steward, cast):
    """The errors above, as a Spanish-speaking participant reads them on the pages."""
    from django.test import Client
    from django.utils import translation

    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    client.force_login(cast.users["member"])
    statements = list(consultation.statements.order_by("number"))
    services.statement_moderate(actor=steward, statement=statements[1], status=StatementStatus.REJECTED)
    before = _snapshot()

    def says(response, message: str) -> None:
        from django.utils.html import escape

        assert escape(message) in response.content.decode(), message

    says(client.post(url("vote", consultation), {"statement": statements[1].pk, "vote": "agree"}),
         _spanish("This statement was withdrawn by the moderators, so it takes no votes."))
    says(client.post(url("vote", consultation), {"statement": 987654, "vote": "agree"}),
         _spanish("This statement is not part of this consultation."))
    says(client.post(url("statement_create", consultation), {"text": "  "}),
         _spanish("Write a statement: it cannot be empty."))
    long = "a" * (STATEMENT_MAX_LENGTH + 1)
    with translation.override("es"):
        too_long = translation.ngettext("A statement can have at most %(limit)d character (this one has %(length)d).",
                            "A statement can have at most %(limit)d characters (this one has %(length)d).",
                            STATEMENT_MAX_LENGTH) % {"limit": STATEMENT_MAX_LENGTH, "length": STATEMENT_MAX_LENGTH + 1}
    says(client.post(url("statement_create", consultation), {"text": long}), too_long)
    says(client.post(url("statement_create", consultation), {"text": statements[0].text.upper()}),
         _spanish("This statement is already part of the consultation."))
    _link, code = services.invitation_link_create(actor=steward, consultation=consultation, max_uses=1)
    join = reverse("consultations:join_link", args=[consultation.community.slug, services.format_code(code)])
    Client().post(join)
    with translation.override("es"):
        used_up = translation.ngettext(
            "This invitation has already been used by %(count)d person, as many as it allows. Ask for a new one.",
            "This invitation has already been used by %(count)d people, as many as it allows. Ask for a new one.",
            1) % {"count": 1}
    says(Client(HTTP_ACCEPT_LANGUAGE="es").post(join), used_up)
    says(Client(HTTP_ACCEPT_LANGUAGE="es").post(reverse("consultations:join", args=[cast.community.slug]),
                                                 {"code": "ABCDE-FGHJK"}),
         _spanish("This code is not valid. Check it and try again."))
    services.consultation_set_state(actor=steward, consultation=consultation, state="closed")
    says(client.post(url("vote", consultation), {"statement": statements[0].pk, "vote": "agree"}),
         _spanish("This consultation is closed: it takes no more votes."))
    after = _snapshot()
    assert after[:2] == before[:2]  # no vote, no statement
