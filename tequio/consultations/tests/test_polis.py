"""`tequio consultations import-polis` and `export-polis` on a real Pol.is conversation."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from tequio.consultations import polis, services
from tequio.consultations.analysis import adjusted_rand_index
from tequio.consultations.models import Consultation, Participant, Statement, StatementStatus, Vote
from tequio.core.models import AuditEvent

from .test_analysis_polis import DATA as FOUND

DATA = FOUND or Path("/nonexistent")
BREXIT = DATA / "brexit-consensus"

pytestmark = pytest.mark.skipif(FOUND is None, reason="shared/data/polis not found beside the repo")


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _latest_cells(directory: Path) -> dict[tuple[str, str], str]:
    """(voter, comment) -> vote, as participants-votes.csv holds them."""
    cells = {}
    for row in _rows(directory / "participants-votes.csv"):
        for key, value in row.items():
            if key.isdigit() and value != "":
                cells[(row["participant"], key)] = value
    return cells


def _import(cast, directory: Path) -> Consultation:
    call_command("consultations", "import-polis", str(directory), "--community", cast.community.slug)
    return Consultation.objects.order_by("-pk").first()


def test_it_imports_a_polis_conversation_with_latest_votes_and_moderation(cast):
    consultation = _import(cast, BREXIT)
    comments = _rows(BREXIT / "comments.csv")
    assert consultation.question == "Can there be consensus on Brexit?"
    assert consultation.state == "closed" and consultation.language == "es"
    assert consultation.statements.count() == len(comments)
    rejected = {int(row["comment-id"]) for row in comments if row["moderated"] == "-1"}
    assert set(consultation.statements.filter(status=StatementStatus.REJECTED).values_list("number", flat=True)) == rejected
    stored = {(str(p), str(s)): str(v) for p, s, v in Vote.objects.filter(consultation=consultation)
              .values_list("participant__number", "statement__number", "value")}
    assert stored == _latest_cells(BREXIT)
    snapshot = consultation.analysis
    assert snapshot.vote_count == len(stored) and snapshot.group_count >= 2
    assert AuditEvent.objects.filter(action="consultation.import_polis", target_id=str(consultation.pk)).exists()


def test_an_export_holds_the_four_files_and_imports_back_the_same(cast, tmp_path):
    consultation = _import(cast, BREXIT)
    out = tmp_path / "export"
    call_command("consultations", "export-polis", str(consultation.pk), str(out))
    assert sorted(path.name for path in out.iterdir()) == [
        "comments.csv", "participants-votes.csv", "summary.csv", "votes.csv"]
    assert _latest_cells(out) == _latest_cells(BREXIT)
    groups = {row["participant"]: row["group-id"] for row in _rows(out / "participants-votes.csv")}
    positions = consultation.analysis.positions
    by_number = dict(Participant.objects.filter(consultation=consultation).values_list("number", "pk"))
    for number, group in groups.items():
        label = positions[f"p{by_number[int(number)]}"][2]
        assert group == ("" if label < 0 else str(label))
    assert {group for group in groups.values() if group} == {str(g) for g in range(consultation.analysis.group_count)}
    summary = dict(csv.reader((out / "summary.csv").open(encoding="utf-8")))
    assert summary["topic"] == "Can there be consensus on Brexit?" and summary["comments"] == "50"

    again = _import(cast, out)
    assert again.pk != consultation.pk
    original = list(consultation.statements.order_by("number").values_list("number", "text", "status"))
    assert list(again.statements.order_by("number").values_list("number", "text", "status")) == original
    assert _latest_cells(out) == {(str(p), str(s)): str(v) for p, s, v in Vote.objects.filter(consultation=again)
                                  .values_list("participant__number", "statement__number", "value")}


def test_exported_text_cannot_run_as_a_spreadsheet_formula_and_reads_back_as_written(cast, steward, tmp_path):
    consultation = services.consultation_create(actor=steward, community=cast.community, question="=1+1",
                                                state="open", seed_statements=['=HYPERLINK("http://x","clic")'])
    services.vote_cast(actor=cast.users["member"], consultation=consultation,
                       statement_id=consultation.statements.get().pk, value=1)
    call_command("consultations", "export-polis", str(consultation.pk), str(tmp_path))
    comment = _rows(tmp_path / "comments.csv")[0]["comment-body"]
    assert comment == "'=HYPERLINK(\"http://x\",\"clic\")"
    assert dict(csv.reader((tmp_path / "summary.csv").open(encoding="utf-8")))["topic"] == "'=1+1"
    again = _import(cast, tmp_path)
    assert again.statements.get().text == '=HYPERLINK("http://x","clic")'
    assert again.question == "=1+1"


def test_duplicate_statements_of_a_polis_export_are_kept(cast):
    seattle = DATA / "15-per-hour-seattle"
    consultation = _import(cast, seattle)
    assert consultation.statements.count() == len(_rows(seattle / "comments.csv"))
    # And a new copy of one of them is still refused.
    statement = consultation.statements.order_by("number").first()
    Consultation.objects.filter(pk=consultation.pk).update(state="open")
    consultation.refresh_from_db()
    with pytest.raises(Exception, match="already part of the consultation"):
        services.statement_submit(actor=cast.users["member"], consultation=consultation, text=statement.text.upper())
    assert Statement.objects.filter(consultation=consultation).count() == len(_rows(seattle / "comments.csv"))


def test_without_a_community_the_import_makes_a_hidden_one(cast):
    call_command("consultations", "import-polis", str(BREXIT))
    consultation = Consultation.objects.get()
    assert consultation.community.slug == "polis-brexit-consensus"
    assert consultation.community.privacy == "hidden"


def test_the_export_command_says_when_it_cannot_write(cast, steward, tmp_path):
    consultation = services.consultation_create(actor=steward, community=cast.community, question="¿Exportar?",
                                                state="open", seed_statements=["Una idea"])
    blocked = tmp_path / "a-file"
    blocked.write_text("not a directory")
    with pytest.raises(CommandError, match=r"Cannot write to .*a-file/out"):
        call_command("consultations", "export-polis", str(consultation.pk), str(blocked / "out"))


def test_an_import_replays_the_history_so_its_groups_are_the_ones_a_live_consultation_reaches(cast):
    # One cold update on Seattle's votes agrees with Pol.is's groups at ARI 0.42; the
    # history replayed (thinned to at most 200 updates) at 0.88, above the naive 0.80.
    seattle = DATA / "15-per-hour-seattle"
    consultation = _import(cast, seattle)
    number_of = dict(consultation.participants.values_list("pk", "number"))
    ours = {number_of[int(key[1:])]: place[2] for key, place in consultation.analysis.positions.items()}
    reference = {int(row["participant"]): int(row["group-id"]) for row in _rows(seattle / "participants-votes.csv")
                 if row["group-id"] != ""}
    both = sorted(number for number in reference if ours.get(number, -1) >= 0)
    assert len(both) > 130
    ari = adjusted_rand_index(np.array([reference[n] for n in both]), np.array([ours[n] for n in both]))
    print(f"Seattle imported: ARI {ari:.3f} against Pol.is's groups over {len(both)} participants")
    assert ari > 0.8
    assert consultation.analysis.group_count == 2


def test_the_replayed_history_keeps_within_its_budgets():
    cuts = np.arange(1, 1001)
    kept = polis._thinned(cuts, 200, 10**9)
    assert kept.size <= 200 and kept[-1] == 1000
    assert np.all(np.diff(kept) == 5)
    few_rows = polis._thinned(cuts, 200, 3000)
    assert few_rows.sum() <= 3000 and few_rows[-1] == 1000
    assert polis._thinned(cuts, 200, 999).size == 0  # not even the last update fits
    assert polis._thinned(cuts[:0], 200, 10).size == 0
