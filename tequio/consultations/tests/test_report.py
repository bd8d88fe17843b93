"""The report's summary: participation, groups, common ground and differences in plain words."""

from __future__ import annotations

from django.utils import translation

from tequio.consultations import report, selectors, services
from tequio.consultations.models import Consultation
from tequio.consultations.permissions import ConsultationAccess


def _summary(consultation: Consultation, language: str) -> list[str]:
    consultation = Consultation.objects.select_related("community").get(pk=consultation.pk)
    ca = ConsultationAccess(consultation=consultation, access=None, participant=None, user=None)
    with translation.override(language):
        return report.summary(selectors.results(ca))


def test_it_says_what_sets_each_group_apart_what_unites_them_and_where_they_differ(cast, voters, consultation, steward):
    # Everyone agrees with one more statement: common ground across the three camps.
    unites = services.statement_seed(actor=steward, consultation=consultation, text="Nadie debe quedarse fuera.")
    for user in voters:
        services.vote_cast(actor=user, consultation=consultation, statement_id=unites.pk, value="agree")
    services.analysis_compute(consultation_id=consultation.pk, force=True)
    paragraphs = _summary(consultation, "en")
    assert paragraphs[0] == "15 people took part and cast 105 votes on 7 statements."
    assert paragraphs[1].startswith("Their votes fall into 3 opinion groups (Group A: 5, Group B: 5, Group C: 5).")
    for letter in "ABC":
        assert any(p.startswith(f"Group {letter} (5 people) stands out: 100% agree with “") for p in paragraphs)
    assert "Common ground: every opinion group supports “Nadie debe quedarse fuera”." in paragraphs
    assert paragraphs[-1].startswith("The groups differ most on “")
    assert ".”" not in " ".join(paragraphs)  # the quotation does not end the sentence twice


def test_it_is_written_in_the_language_asked_for(cast, voters, consultation):
    paragraphs = _summary(consultation, "es")
    assert paragraphs[0] == "Participaron 15 personas y emitieron 90 votos sobre 6 declaraciones."
    assert any(p.startswith("Sus votos se agrupan en 3 grupos de opinión") for p in paragraphs)


def test_without_votes_it_says_so(cast, consultation):
    assert _summary(consultation, "en") == ["Nobody has voted yet, so there is nothing to summarize."]
