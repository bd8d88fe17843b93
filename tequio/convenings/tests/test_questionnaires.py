"""Questionnaires: templates, answering every question type, results in the database, exports, XLSForm."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from tequio.convenings import selectors, services
from tequio.convenings.models import Answer, Question, Questionnaire, Response
from tequio.core.models import AuditEvent
from tequio.testing.personas import make_user


def url(cast, name, *args):
    return reverse(f"convenings:{name}", args=[cast.community.slug, *args])


@pytest.fixture
def poll(cast, convening, steward):
    questionnaire = services.questionnaire_create(actor=steward, community=cast.community, convening=convening,
                                                  builtin="post_convening")
    services.questionnaire_set_status(actor=steward, questionnaire=questionnaire, status="open")
    return questionnaire


def full_answers(poll, *, likert="4", number=3, text="Confianza") -> dict:
    choices = {q.name: [c.value for c in q.choices.all()] for q in poll.questions.prefetch_related("choices")}
    return {
        "useful": likert, "participation": "5", "facilitation": "3", "learned": likert,
        "valued": choices["valued"][:2], "next_topics": list(reversed(choices["next_topics"])),
        "new_contacts": number, "one_word": text, "suggestions": "Más tiempo para las mesas",
    }


def members(cast, count: int) -> list:
    from tequio.core import services as core_services

    users = []
    for index in range(count):
        user = make_user(f"m{index}@poll.test")
        _invitation, token = core_services.invitation_create(actor=cast.users["convener"], community=cast.community,
                                                             email=user.email, organization=cast.organization)
        core_services.invitation_accept(user=user, token=token)
        users.append(user)
    return users


def test_the_built_in_template_covers_every_question_type(poll):
    kinds = set(poll.questions.values_list("kind", flat=True))
    assert kinds == {"likert", "multiple", "ranking", "number", "short_text", "long_text"}
    likert = poll.questions.get(name="useful")
    assert next(c.label for c in likert.choices.all()) == "Strongly disagree"


def test_an_anonymous_answer_keeps_no_name_and_counts_once(cast, poll):
    response = services.response_submit(actor=cast.users["member"], questionnaire=poll, answers=full_answers(poll))
    assert response.person is None
    assert (response.submitted_at.hour, response.submitted_at.minute) == (12, 0)
    with pytest.raises(ValidationError, match="already answered"):
        services.response_submit(actor=cast.users["member"], questionnaire=poll, answers=full_answers(poll))
    assert Response.objects.count() == 1


def test_a_named_answer_keeps_the_person(cast, convening, steward):
    named = services.questionnaire_create(actor=steward, community=cast.community, title="Con nombre", anonymous=False)
    services.question_add(actor=steward, questionnaire=named, kind="single", text="¿Vendrás?", choices=["Sí", "No"])
    services.questionnaire_set_status(actor=steward, questionnaire=named, status="open")
    response = services.response_submit(actor=cast.users["member"], questionnaire=named, answers={"q1": "1"})
    assert response.person == cast.person


def test_an_answer_to_a_closed_questionnaire_is_refused_and_changes_nothing(cast, poll, steward, client_for):
    services.questionnaire_set_status(actor=steward, questionnaire=poll, status="closed")
    with pytest.raises(ValidationError) as error:
        services.response_submit(actor=cast.users["member"], questionnaire=poll, answers=full_answers(poll))
    assert error.value.messages == ["This questionnaire is closed: answers are no longer accepted."]
    page = client_for("member").get(url(cast, "questionnaire_answer", poll.pk)).content.decode()
    assert "This questionnaire is closed" in page
    assert not Response.objects.exists() and not Answer.objects.exists()


def test_bad_answers_are_reported_by_question_and_nothing_is_saved(cast, poll):
    answers = full_answers(poll)
    answers.update(useful="9", valued=["nope"], new_contacts="muchos", next_topics=["1", "1"])
    answers.pop("learned")
    with pytest.raises(ValidationError) as error:
        services.response_submit(actor=cast.users["member"], questionnaire=poll, answers=answers)
    assert set(error.value.message_dict) == {"useful", "valued", "new_contacts", "next_topics", "learned"}
    assert error.value.message_dict["learned"] == ["This question needs an answer."]
    assert not Response.objects.exists()


def test_answering_on_a_phone_form_ranks_by_numbered_positions(cast, poll, client_for):
    questions = {q.name: q for q in poll.questions.prefetch_related("choices")}
    ranking = [c.value for c in questions["next_topics"].choices.all()]
    data = {"useful": "5", "participation": "4", "learned": "5", "valued": ["1", "3"], "new_contacts": "2,5",
            "one_word": "Alianzas", "suggestions": ""}
    for position, value in enumerate(reversed(ranking), start=1):
        data[f"next_topics__{value}"] = str(position)
    response = client_for("ally").post(url(cast, "questionnaire_answer", poll.pk), data)
    assert response.status_code == 302
    ranks = dict(Answer.objects.filter(question__name="next_topics").values_list("choice__value", "rank"))
    assert ranks == {value: len(ranking) - index for index, value in enumerate(ranking)}
    assert Answer.objects.get(question__name="new_contacts").number == 2.5


def test_results_are_aggregated_with_the_response_rate(cast, poll, steward):
    for user in [cast.users["member"], cast.users["ally"], steward]:
        services.attendance_record(actor=steward, convening=poll.convening, person=user.persons.get(community=cast.community))
    services.response_submit(actor=cast.users["member"], questionnaire=poll, answers=full_answers(poll, likert="4", number=2))
    services.response_submit(actor=cast.users["ally"], questionnaire=poll, answers=full_answers(poll, likert="2", number=6))
    results = selectors.questionnaire_results(poll)
    assert (results.responses, results.expected, results.response_rate) == (2, 3, 67)
    by_name = {r.question.name: r for r in results.questions}
    useful = by_name["useful"]
    assert useful.average == 3.0 and useful.answered == 2
    assert [(bar.label, bar.count, bar.percent) for bar in useful.bars if bar.count] == [("Disagree", 1, 50), ("Agree", 1, 50)]
    assert by_name["new_contacts"].average == 4.0 and by_name["new_contacts"].maximum == 6
    assert by_name["valued"].answered == 2 and by_name["valued"].bars[0].count == 2
    # Every respondent put the last option first.
    assert by_name["next_topics"].bars[0].label == "Security and digital care"
    # A ranking's bars count first places (everyone ranks every option, so plain counts say nothing).
    assert [(bar.count, bar.percent) for bar in by_name["next_topics"].bars] == [(2, 100), (0, 0), (0, 0), (0, 0)]
    assert by_name["one_word"].texts == ["Confianza", "Confianza"]


def test_results_page_draws_svg_charts_and_its_queries_do_not_grow(cast, poll, steward, client_for):
    client = client_for("observer")
    page = url(cast, "questionnaire_results", poll.pk)
    client.get(page)
    with CaptureQueriesContext(connection) as few:
        client.get(page)
    for user in members(cast, 6):
        services.response_submit(actor=user, questionnaire=poll, answers=full_answers(poll))
    with CaptureQueriesContext(connection) as many:
        response = client.get(page)
    body = response.content.decode()
    assert len(many) == len(few)
    assert body.count("<svg") == 7  # four Likert questions, the multiple choice, the ranking, the number
    assert "<rect" in body and "6 responses" in body


def test_results_are_computed_by_group_by_not_by_reading_answers(cast, poll):
    services.response_submit(actor=cast.users["member"], questionnaire=poll, answers=full_answers(poll))
    with CaptureQueriesContext(connection) as queries:
        selectors.questionnaire_results(poll)
    statements = [query["sql"].upper() for query in queries.captured_queries]
    answer_reads = [sql for sql in statements if '"CONVENINGS_ANSWER"' in sql.split(" FROM ")[1].split(" WHERE ")[0]]
    # Every read of the answers table aggregates, except the texts of the few latest responses.
    assert len(answer_reads) == 5
    assert all("GROUP BY" in sql or "LIMIT 60" in sql for sql in answer_reads)


def test_a_closed_questionnaires_results_are_kept_and_recomputed_when_reopened(cast, poll, steward):
    services.response_submit(actor=cast.users["member"], questionnaire=poll, answers=full_answers(poll, likert="4"))
    closed = services.questionnaire_set_status(actor=steward, questionnaire=poll, status="closed")
    first = selectors.questionnaire_results(closed)
    with CaptureQueriesContext(connection) as queries:
        again = selectors.questionnaire_results(closed)
    assert [r.average for r in again.questions] == [r.average for r in first.questions]
    # Its answers can no longer change: the aggregates come from the cache, not from the answers.
    assert not any('"convenings_answer"' in query["sql"] for query in queries.captured_queries)
    reopened = services.questionnaire_set_status(actor=steward, questionnaire=poll, status="open")
    services.response_submit(actor=cast.users["ally"], questionnaire=reopened, answers=full_answers(poll, likert="2"))
    closed = services.questionnaire_set_status(actor=steward, questionnaire=reopened, status="closed")
    useful = next(r for r in selectors.questionnaire_results(closed).questions if r.question.name == "useful")
    assert useful.answered == 2 and useful.average == 3.0


def test_exports_neutralize_spreadsheet_formulas_and_are_audited(cast, poll, client_for):
    services.response_submit(actor=cast.users["member"], questionnaire=poll,
                             answers=full_answers(poll, text="=HYPERLINK(\"http://evil\")"))
    response = client_for("steward").get(url(cast, "questionnaire_export_csv", poll.pk))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["response", "submitted_at"] and "one_word" in rows[0]
    assert rows[1][rows[0].index("one_word")] == "'=HYPERLINK(\"http://evil\")"
    xlsx = client_for("steward").get(url(cast, "questionnaire_export_xlsx", poll.pk))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = [cell.value for cell in sheet[2]]
    assert "'=HYPERLINK(\"http://evil\")" in values
    assert AuditEvent.objects.filter(action="questionnaire.export").count() == 2
    assert client_for("member").get(url(cast, "questionnaire_export_csv", poll.pk)).status_code == 403


def test_a_questionnaire_saved_as_template_starts_new_ones(cast, poll, steward):
    template = services.questionnaire_save_as_template(actor=steward, questionnaire=poll, title="Plantilla")
    copy = services.questionnaire_create(actor=steward, community=cast.community, template=template, title="Segundo")
    assert list(copy.questions.values_list("name", "kind")) == list(poll.questions.values_list("name", "kind"))
    with pytest.raises(ValidationError, match="template is not sent out"):
        services.questionnaire_set_status(actor=steward, questionnaire=template, status="open")


def test_questions_cannot_change_once_the_questionnaire_is_open(poll, steward):
    with pytest.raises(ValidationError, match="draft"):
        services.question_add(actor=steward, questionnaire=poll, kind="short_text", text="¿Algo más?")


# --- XLSForm ------------------------------------------------------------------------------

def xlsform(survey: list[list], choices: list[list] | None = None, *, settings: list[list] | None = None) -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "survey"
    for row in survey:
        sheet.append(row)
    if choices is not None:
        choice_sheet = workbook.create_sheet("choices")
        for row in choices:
            choice_sheet.append(row)
    if settings is not None:
        settings_sheet = workbook.create_sheet("settings")
        for row in settings:
            settings_sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("encuesta.xlsx", buffer.getvalue())


GOOD_SURVEY = [
    ["type", "name", "label::Español (es)", "label::English (en)", "required", "appearance", "hint"],
    ["start", "start", "", "", "", "", ""],
    ["select_one acuerdo", "util", "¿Fue útil?", "Was it useful?", "yes", "likert", ""],
    ["select_multiple temas", "temas", "Temas", "Topics", "", "", "Elige varios"],
    ["rank temas", "prioridad", "Prioriza", "Prioritize", "", "", ""],
    ["begin_group", "g1", "Grupo", "Group", "", "", ""],
    ["integer", "contactos", "Contactos nuevos", "New contacts", "", "", ""],
    ["end_group", "", "", "", "", "", ""],
    ["text", "palabra", "Una palabra", "One word", "", "", ""],
    ["text", "sugerencias", "Sugerencias", "Suggestions", "", "multiline", ""],
]
GOOD_CHOICES = [
    ["list_name", "name", "label::Español (es)", "label::English (en)"],
    ["acuerdo", "1", "Nada", "Not at all"], ["acuerdo", "2", "Poco", "A little"], ["acuerdo", "3", "Mucho", "A lot"],
    ["temas", "datos", "Datos", "Data"], ["temas", "mediacion", "Mediación", "Mediation"],
]


def test_an_xlsform_becomes_a_draft_questionnaire(cast, steward):
    questionnaire = services.questionnaire_import_xlsform(
        actor=steward, community=cast.community, file=xlsform(GOOD_SURVEY, GOOD_CHOICES, settings=[["form_title"], ["Evaluación Kobo"]]))
    assert questionnaire.title == "Evaluación Kobo" and questionnaire.status == "draft"
    questions = list(questionnaire.questions.order_by("position").values_list("name", "kind", "text", "required"))
    assert questions == [
        ("util", "likert", "¿Fue útil?", True), ("temas", "multiple", "Temas", False), ("prioridad", "ranking", "Prioriza", False),
        ("contactos", "number", "Contactos nuevos", False), ("palabra", "short_text", "Una palabra", False),
        ("sugerencias", "long_text", "Sugerencias", False),
    ]
    assert list(Question.objects.get(name="temas").choices.values_list("value", "label")) == [("datos", "Datos"), ("mediacion", "Mediación")]
    assert AuditEvent.objects.filter(action="questionnaire.import").exists()


def test_unsupported_types_are_reported_by_row_and_nothing_is_created(cast, steward, client_for):
    survey = [*GOOD_SURVEY, ["geopoint", "lugar", "¿Dónde?", "Where?", "", "", ""], ["select_one nolist", "x", "X", "X", "", "", ""]]
    response = client_for("steward").post(url(cast, "questionnaire_import"), {"file": xlsform(survey, GOOD_CHOICES)})
    body = response.content.decode()
    assert response.status_code == 200
    assert "row 11" in body and "geopoint" in body
    assert "row 12" in body and "nolist" in body
    assert not Questionnaire.objects.exists() and not Question.objects.exists()


@pytest.mark.parametrize(("upload", "message"), [
    (SimpleUploadedFile("x.xlsx", b"not a spreadsheet"), "not an XLSForm"),
    (xlsform([["name", "label"], ["a", "A"]]), "“type” column is missing"),
    (xlsform([["type", "name", "label"], ["text", "bad name!", "A"]]), "not a valid question name"),
    (xlsform([["type", "name", "label"], ["text", "a", "A"], ["integer", "a", "B"]]), "used twice"),
    (xlsform([["type", "name", "label"], ["text", "a", ""]]), "has no label"),
])
def test_a_malformed_xlsform_is_refused_with_a_clear_error(cast, steward, upload, message):
    with pytest.raises(services.ImportProblems) as error:
        services.questionnaire_import_xlsform(actor=steward, community=cast.community, file=upload)
    assert any(message in problem for problem in error.value.problems)
    assert not Questionnaire.objects.exists()


def test_a_closed_questionnaires_charts_are_drawn_once_per_language_and_again_when_reopened(cast, poll, steward, client_for):
    services.response_submit(actor=cast.users["member"], questionnaire=poll, answers=full_answers(poll, likert="4"))
    services.questionnaire_set_status(actor=steward, questionnaire=poll, status="closed")
    client = client_for("member")
    page = url(cast, "questionnaire_results", poll.pk)
    english = client.get(page, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "1 answer" in english and "<svg" in english
    spanish = client.get(page, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "1 respuesta" in spanish and "1 answer" not in spanish  # not the English drawing from the cache
    assert client.get(page, HTTP_ACCEPT_LANGUAGE="en").content.decode().count("<svg") == english.count("<svg")
    reopened = services.questionnaire_set_status(actor=steward, questionnaire=poll, status="open")
    services.response_submit(actor=cast.users["ally"], questionnaire=reopened, answers=full_answers(poll, likert="2"))
    services.questionnaire_set_status(actor=steward, questionnaire=reopened, status="closed")
    assert "2 answers" in client.get(page, HTTP_ACCEPT_LANGUAGE="en").content.decode()


@pytest.mark.parametrize(
    ("lo", "hi", "whole", "expected"),
    [
        (2, 6, True, (2, 1, 5)),  # one value per bin
        (0, 40, True, (0, 5, 9)),
        (3, 3, True, (3, 1, 1)),
        (0.5, 2.75, False, (0.5, 0.5, 5)),
        (-7, 12, True, (-10, 5, 5)),
    ],
)
def test_number_answers_fall_in_a_few_round_bins(lo, hi, whole, expected):
    start, width, count = selectors.number_bins(lo, hi, whole=whole)
    assert (start, width, count) == expected
    assert start <= lo and start + width * count > hi and count <= selectors.MAX_NUMBER_BINS + 1


def test_a_number_question_shows_how_its_answers_spread(cast, poll, steward):
    for user, value in zip(members(cast, 5), [2, 2, 3, 6, 40], strict=True):
        services.response_submit(actor=user, questionnaire=poll, answers=full_answers(poll, likert="4", number=value))
    results = selectors.questionnaire_results(poll)
    contacts = {r.question.name: r for r in results.questions}["new_contacts"]
    assert contacts.answered == 5
    bars = [(bar.label, bar.count) for bar in contacts.bars]
    assert bars[0] == ("0–4", 3) and bars[1] == ("5–9", 1) and bars[-1] == ("40–44", 1)
    assert sum(count for _label, count in bars) == 5
    page = selectors.questionnaire_results(poll)  # the same figures again, from the same queries
    assert [(bar.label, bar.count) for bar in {r.question.name: r for r in page.questions}["new_contacts"].bars] == bars


def test_fractional_number_answers_are_binned_by_half_open_ranges(cast, poll, steward):
    services.response_submit(actor=steward, questionnaire=poll, answers=full_answers(poll, likert="4", number=2.5))
    services.response_submit(actor=cast.users["member"], questionnaire=poll, answers=full_answers(poll, likert="4", number=4))
    contacts = {r.question.name: r for r in selectors.questionnaire_results(poll).questions}["new_contacts"]
    labels = [bar.label for bar in contacts.bars]
    assert labels[0] == "2.4 to under 2.6" and sum(bar.count for bar in contacts.bars) == 2
