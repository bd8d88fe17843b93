"""Our groups against the groups Pol.is itself assigned, on three open-data conversations.

The reference is the `group-id` column of participants-votes.csv. Each conversation is run
with the Pol.is method of the year its groups were computed (see docs/consultations-math.md
for the evidence and for every disagreement): Seattle's math last ran in 2019 (current
method); Brexit and Scoop ran in 2017, before column-mean imputation, and grouped every
voter. A naive baseline (plain PCA + k-means + silhouette on the dense imputed matrix) is
computed in the same test.

Two comparisons: one update on all the votes (the method's cold start), and the vote
history replayed through the updates the app would have run (`analysis.compare`), which
is how Pol.is's own groups came about.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from tequio.consultations.analysis import (
    PipelineOptions,
    PolisConversation,
    PolisFormatError,
    build_vote_matrix,
    load_polis_export,
    load_polis_groups,
)
from tequio.consultations.analysis.compare import (
    CURRENT,
    POLIS_2017,
    PolisComparison,
    compare_with_polis,
    format_comparison,
    polis_method,
)


def polis_data_dir() -> Path | None:
    """The three Pol.is conversations: the copy kept with these tests (CC BY 4.0, see its
    README.md), else the shared data directory beside the repository (../shared/data/polis)."""
    vendored = Path(__file__).resolve().parent / "data" / "polis"
    if vendored.is_dir():
        return vendored
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "shared" / "data" / "polis"
        if candidate.is_dir():
            return candidate
    return None


DATA = polis_data_dir()
needs_data = pytest.mark.skipif(DATA is None, reason="shared/data/polis not found beside the repo")
# Pure computation: the same on every database, so it runs once, in the SQLite pass.
pytestmark = pytest.mark.nodb



@dataclass(frozen=True)
class Case:
    name: str
    options: PipelineOptions
    polis_groups: int
    min_ari: float  # measured ARI minus a margin for numerical drift


CASES = [
    Case("15-per-hour-seattle", CURRENT, 2, 0.50),  # measured 0.563
    Case("brexit-consensus", POLIS_2017, 2, 0.80),  # measured 0.862
    Case("scoop-hivemind.ubi", POLIS_2017, 4, 0.30),  # measured 0.362
]


@dataclass(frozen=True)
class Comparison:
    """One update on all the votes with the method's starts, and the naive baseline."""

    ours: float
    baseline: float
    n_groups: int


@cache
def conversation(name: str) -> PolisConversation:
    assert DATA is not None
    return load_polis_export(DATA / name)


def compare(case: Case) -> Comparison:
    comparison = replayed(case.name)
    ours = comparison.ours["method"]
    return Comparison(ours=ours.one_update_ari, baseline=comparison.baseline_ari, n_groups=ours.one_update_groups)


@needs_data
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_it_agrees_with_the_groups_polis_assigned(case: Case) -> None:
    comparison = compare(case)
    assert comparison.n_groups == case.polis_groups
    assert comparison.ours >= case.min_ari


@needs_data
@pytest.mark.parametrize(
    "case",
    [
        pytest.param(
            CASES[0],
            marks=pytest.mark.xfail(
                strict=True,
                reason=(
                    "Seattle's Pol.is groups are the second-best of its k-means optima; one "
                    "cold first-distinct update lands on a worse one (0.56), the naive run on "
                    "0.80; replaying the history does better (see the replay tests below)"
                ),
            ),
        ),
        *CASES[1:],
    ],
    ids=lambda c: c.name,
)
def test_it_agrees_with_polis_at_least_as_well_as_a_naive_baseline(case: Case) -> None:
    comparison = compare(case)
    assert comparison.ours >= comparison.baseline


@needs_data
def test_it_agrees_better_than_the_baseline_over_the_three_conversations() -> None:
    ours = np.mean([compare(case).ours for case in CASES])
    baseline = np.mean([compare(case).baseline for case in CASES])
    assert ours >= baseline + 0.1


@needs_data
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_it_infers_the_polis_method_of_each_export_from_who_was_grouped(case: Case) -> None:
    assert DATA is not None
    conv = conversation(case.name)
    reference = load_polis_groups(DATA / case.name)
    polis = np.array([-1 if reference.get(p) is None else reference[p] for p in conv.participant_ids])
    matrix = build_vote_matrix(conv.participants, conv.statements, conv.votes,
                               n_participants=len(conv.participant_ids), n_statements=len(conv.statement_ids))
    assert polis_method(matrix, polis) == ("current" if case.options == CURRENT else "2017")


# --- the vote history replayed, as the app would have computed it --------------------


@cache
def replayed(name: str) -> PolisComparison:
    assert DATA is not None
    comparison = compare_with_polis(DATA / name)
    print(format_comparison(comparison))  # shown with pytest -s, or when a test fails
    return comparison


SCOOP_ROBUST = pytest.mark.xfail(
    strict=True,
    reason=(
        "with fresh starts Scoop shows the same two groups as the baseline (its 9 dissenters "
        "against everyone else, ARI 0.056 against 0.076); Pol.is's four come from a k = 2 "
        "clustering stuck in a poor optimum (see docs/consultations-math.md)"
    ),
)


@needs_data
@pytest.mark.parametrize(
    ("name", "starts"),
    [
        ("15-per-hour-seattle", "method"),
        ("brexit-consensus", "method"),
        ("scoop-hivemind.ubi", "method"),
        ("15-per-hour-seattle", "robust"),
        ("brexit-consensus", "robust"),
        pytest.param("scoop-hivemind.ubi", "robust", marks=SCOOP_ROBUST),
    ],
)
def test_the_replayed_history_agrees_with_polis_better_than_the_baseline(name: str, starts: str) -> None:
    comparison = replayed(name)
    ours = comparison.ours[starts]
    assert len(ours.replays) == 6
    assert ours.replay_median_ari > comparison.baseline_ari


@needs_data
def test_fresh_starts_make_seattle_independent_of_the_update_cadence() -> None:
    # With carried clusterings alone, the 5-second cadence (the app's default) ends in the
    # same poor optimum as one cold update; trying fresh starts at each update leaves it.
    comparison = replayed("15-per-hour-seattle")
    method = [r.ari for r in comparison.ours["method"].replays]
    robust = [r.ari for r in comparison.ours["robust"].replays]
    assert method[0] < comparison.baseline_ari
    assert min(robust) > comparison.baseline_ari
    assert all(r.n_groups == 2 for r in comparison.ours["robust"].replays)


@needs_data
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_its_latest_votes_equal_the_cells_of_participants_votes(case: Case) -> None:
    assert DATA is not None
    conv = conversation(case.name)
    n, m = len(conv.participant_ids), len(conv.statement_ids)
    dense = build_vote_matrix(
        conv.participants, conv.statements, conv.votes, n_participants=n, n_statements=m
    ).to_dense()
    row = {pid: i for i, pid in enumerate(conv.participant_ids)}
    with (DATA / case.name / "participants-votes.csv").open(newline="") as handle:
        for record in csv.DictReader(handle):
            i = row[int(record["participant"])]
            for j, cid in enumerate(conv.statement_ids):
                cell = record.get(str(cid))
                if cell is None:  # a statement nobody voted on has no column
                    assert np.isnan(dense[:, j]).all()
                    continue
                expected = np.nan if cell == "" else float(cell)
                assert np.array_equal(dense[i, j], expected, equal_nan=True)


@needs_data
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_comments_csv_counts_every_vote_cast_not_only_the_latest(case: Case) -> None:
    # Pol.is's agrees/disagrees columns include votes later changed; our reports count
    # latest votes, so the two differ wherever someone changed their mind.
    assert DATA is not None
    conv = conversation(case.name)
    m = len(conv.statement_ids)
    with (DATA / case.name / "comments.csv").open(newline="") as handle:
        listed = {
            int(r["comment-id"]): (int(r["agrees"]), int(r["disagrees"]))
            for r in csv.DictReader(handle)
        }
    agrees = np.bincount(conv.statements[conv.votes == 1], minlength=m)
    disagrees = np.bincount(conv.statements[conv.votes == -1], minlength=m)
    assert [listed[c] for c in conv.statement_ids] == list(zip(agrees, disagrees, strict=True))


@needs_data
def test_it_loads_an_export_in_time_order_with_moderation() -> None:
    conv = conversation("15-per-hour-seattle")
    assert len(conv.participant_ids) == 339
    assert len(conv.statement_ids) == 54
    assert conv.votes.size == 2995
    assert int(conv.moderated_out.sum()) == 23
    assert np.all(np.diff(conv.timestamps) >= 0)


# --- malformed exports ---------------------------------------------------------------

COMMENTS = "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n"
VOTES = "timestamp,datetime,comment-id,voter-id,vote\n"


def write_export(tmp_path: Path, comments: str, votes: str) -> Path:
    (tmp_path / "comments.csv").write_text(COMMENTS + comments, encoding="utf-8")
    (tmp_path / "votes.csv").write_text(VOTES + votes, encoding="utf-8")
    return tmp_path


def test_it_reads_a_small_export(tmp_path: Path) -> None:
    directory = write_export(
        tmp_path,
        '1,x,7,0,1,0,1,"A statement\nover two lines"\n2,x,3,0,0,1,-1,Rejected\n',
        "20,x,7,11,1\n10,x,3,4,-1\n30,x,7,4,0\n",
    )
    conv = load_polis_export(directory)
    assert conv.statement_ids == (3, 7)
    assert conv.participant_ids == (4, 11)
    assert conv.moderated_out.tolist() == [True, False]
    # Sorted by timestamp: (10: voter 4 on 3), (20: voter 11 on 7), (30: voter 4 on 7).
    assert conv.participants.tolist() == [0, 1, 0]
    assert conv.statements.tolist() == [0, 1, 1]
    assert conv.votes.tolist() == [-1, 1, 0]


def test_it_reports_every_malformed_row_with_line_and_column(tmp_path: Path) -> None:
    directory = write_export(
        tmp_path,
        '1,x,7,0,1,0,1,"body with\na newline"\n',
        "10,x,7,4,1\n11,x,7,4,2\n12,x,9,5,1\nlate,x,7,6,1\n13,x,7\n",
    )
    with pytest.raises(PolisFormatError) as caught:
        load_polis_export(directory)
    error = caught.value
    assert (error.file, error.line, error.column) == ("votes.csv", 3, 5)
    assert "'vote' must be -1, 0 or 1" in error.message
    assert [(e.line, e.column) for e in error.errors] == [(3, 5), (4, 3), (5, 1), (6, 4)]
    assert "votes.csv, line 3, column 5" in str(error)


def test_it_counts_lines_of_multiline_statements(tmp_path: Path) -> None:
    directory = write_export(
        tmp_path, '1,x,7,0,1,0,1,"three\nline\nbody"\n2,x,8,0,1,0,2,Bad moderation\n', ""
    )
    with pytest.raises(PolisFormatError) as caught:
        load_polis_export(directory)
    assert (caught.value.file, caught.value.line, caught.value.column) == ("comments.csv", 5, 7)


def test_it_reports_a_missing_column(tmp_path: Path) -> None:
    (tmp_path / "comments.csv").write_text("comment-id,body\n1,x\n", encoding="utf-8")
    (tmp_path / "votes.csv").write_text(VOTES, encoding="utf-8")
    with pytest.raises(PolisFormatError, match="missing column 'moderated'") as caught:
        load_polis_export(tmp_path)
    assert caught.value.line == 1


def test_it_reports_a_repeated_statement_id(tmp_path: Path) -> None:
    directory = write_export(tmp_path, "1,x,7,0,1,0,1,a\n2,x,7,0,1,0,1,b\n", "")
    with pytest.raises(PolisFormatError, match="repeats line 2") as caught:
        load_polis_export(directory)
    assert (caught.value.line, caught.value.column) == (3, 3)
