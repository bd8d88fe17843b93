"""Behaviour of the pure consultation math on constructed conversations with known answers."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray

from tequio.consultations.analysis import (
    KSmootherState,
    PipelineOptions,
    PipelineState,
    adjusted_rand_index,
    build_vote_matrix,
    choose_next_statement,
    column_means,
    impute,
    kmeans,
    participants_in_conversation,
    principal_components,
    run_pipeline,
    smooth_k,
)
from tequio.consultations.analysis.clustering import (
    displayed_k,
    group_candidates,
    matching_numbers,
    recentre,
    silhouette,
    warm_start,
)
from tequio.consultations.analysis.pca import project_participants, project_statements
from tequio.consultations.analysis.replay import replay, update_cuts
from tequio.consultations.analysis.stats import (
    Z95,
    GroupVotes,
    group_votes,
    prop_test,
    representativeness,
    two_prop_test,
)
from tequio.consultations.analysis.stats import priorities as statement_priorities

IntArray = NDArray[np.int64]


def camps(
    sizes: tuple[int, ...] = (30, 20),
    n_statements: int = 24,
    *,
    unanimous: int | None = None,
    seed: int = 7,
    vote_share: float = 0.8,
    camp_by_camp: bool = False,
) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    """Opinion camps: camp c agrees with block c of the statements and disagrees elsewhere.

    Each participant sees a random `vote_share` of the statements (always at least the
    first 7, so everyone is counted) and 10 % of votes are passes. `unanimous` is a
    statement everybody agrees with. Participants arrive mixed, unless `camp_by_camp`.
    """
    rng = np.random.default_rng(seed)
    k = len(sizes)
    block = n_statements // k
    p, s, v, truth = [], [], [], []
    pid = 0
    for camp, size in enumerate(sizes):
        for _ in range(size):
            for stmt in range(n_statements):
                if stmt >= 7 and rng.random() > vote_share:
                    continue
                if stmt == unanimous:
                    vote = 1
                elif rng.random() < 0.1:
                    vote = 0
                else:
                    vote = 1 if stmt // block == camp else -1
                p.append(pid)
                s.append(stmt)
                v.append(vote)
            truth.append(camp)
            pid += 1
    arrival = np.arange(pid) if camp_by_camp else rng.permutation(pid)
    return arrival[np.array(p)], np.array(s), np.array(v), np.array(truth)[np.argsort(arrival)]


# --- vote matrix -------------------------------------------------------------------


def test_it_keeps_the_latest_vote_of_each_participant_on_each_statement() -> None:
    matrix = build_vote_matrix([0, 1, 0, 0, 1], [2, 0, 2, 1, 0], [1, -1, -1, 0, 1])
    assert list(zip(matrix.rows, matrix.cols, matrix.values, strict=True)) == [
        (0, 1, 0),
        (0, 2, -1),
        (1, 0, 1),
    ]
    assert matrix.n_votes == 3


def test_it_rejects_votes_outside_agree_disagree_pass() -> None:
    with pytest.raises(ValueError, match="votes must be"):
        build_vote_matrix([0], [0], [2])
    with pytest.raises(ValueError, match="non-negative"):
        build_vote_matrix([-1], [0], [1])
    with pytest.raises(ValueError, match="same length"):
        build_vote_matrix([0, 1], [0], [1])


def test_it_drops_participants_beyond_the_limit_in_order_of_arrival() -> None:
    matrix = build_vote_matrix([5, 2, 9, 2], [0, 0, 0, 1], [1, 1, 1, -1], max_participants=2)
    assert sorted(set(matrix.rows.tolist())) == [2, 5]


@given(
    st.lists(
        st.tuples(st.integers(0, 5), st.integers(0, 4), st.sampled_from([-1, 0, 1])),
        max_size=60,
    )
)
def test_it_matches_a_dictionary_of_latest_votes(triples: list[tuple[int, int, int]]) -> None:
    expected: dict[tuple[int, int], int] = {}
    for p, s, v in triples:
        expected[(p, s)] = v
    cols = list(zip(*triples, strict=True)) if triples else [[], [], []]
    matrix = build_vote_matrix(*cols, n_participants=6, n_statements=5)
    got = {
        (int(p), int(s)): int(v)
        for p, s, v in zip(matrix.rows, matrix.cols, matrix.values, strict=True)
    }
    assert got == expected
    assert list(zip(matrix.rows, matrix.cols, strict=True)) == sorted(expected)


# --- who is counted -----------------------------------------------------------------


def test_it_counts_participants_with_at_least_seven_votes_or_all_statements() -> None:
    counts = np.array([7, 6, 0, 12] + [9] * 20)
    assert participants_in_conversation(counts, 54).tolist()[:4] == [True, False, False, True]
    # With 5 statements, voting on all 5 is enough.
    few = participants_in_conversation(np.array([5, 4] + [5] * 20), 5)
    assert few[:2].tolist() == [True, False]


def test_it_keeps_participants_once_counted_and_tops_up_to_fifteen() -> None:
    counts = np.array([8, 3, 3, 5, 1, 0])
    in_conv = participants_in_conversation(counts, 54, previously_in=np.array([False, True]))
    # 0 qualifies, 1 was in before; the rest are topped up by vote count (not 5: no votes).
    assert in_conv.tolist() == [True, True, True, True, True, False]
    ordered = participants_in_conversation(np.array([2, 3, 3, 1]), 54, min_participants=3)
    assert ordered.tolist() == [True, True, True, False]


# --- imputation, PCA, projection ----------------------------------------------------


def test_it_fills_unseen_cells_with_the_statement_mean() -> None:
    matrix = build_vote_matrix([0, 1, 2, 0], [0, 0, 0, 1], [1, 1, -1, -1], n_statements=3)
    center = column_means(matrix)
    assert center == pytest.approx([1 / 3, -1.0, 0.0])
    filled = impute(matrix, center)
    assert filled[1, 1] == pytest.approx(-1.0)
    assert filled[:, 2] == pytest.approx([0.0, 0.0, 0.0])
    # Treating unseen as pass divides by everyone who voted at all.
    assert column_means(matrix, imputation="zero") == pytest.approx([1 / 3, -1 / 3, 0.0])


def test_it_zeroes_moderated_statements_in_the_opinion_space() -> None:
    p, s, v, _ = camps()
    matrix = build_vote_matrix(p, s, v, moderated_out=[0, 5])
    pca = principal_components(matrix)
    assert np.all(pca.components[:, [0, 5]] == 0.0)
    assert column_means(matrix)[[0, 5]] == pytest.approx([0.0, 0.0])
    # Their votes still count as participation.
    assert matrix.votes_per_participant().sum() == np.unique(p * 100 + s).size


@pytest.mark.parametrize(
    ("n_participants", "n_statements"),
    [(40, 12), (15, 60), (230, 210)],
    ids=["dense", "dense-wide", "lanczos"],
)
def test_it_finds_the_same_axes_as_a_dense_svd(n_participants: int, n_statements: int) -> None:
    rng = np.random.default_rng(3)
    cells = rng.random((n_participants, n_statements)) < 0.35
    taste = np.sign(rng.normal(size=n_participants))[:, None] * np.sign(
        rng.normal(size=n_statements)
    )
    votes = np.where(rng.random(cells.shape) < 0.8, taste, -taste)
    rows, cols = np.nonzero(cells)
    matrix = build_vote_matrix(rows, cols, votes[rows, cols].astype(int), n_statements=n_statements)
    for imputation in ("column_mean", "zero"):
        pca = principal_components(matrix, imputation=imputation)
        voters = matrix.votes_per_participant() > 0
        dense = np.where(cells, votes, 0.0 if imputation == "zero" else np.nan)[voters]
        dense = np.where(np.isnan(dense), pca.center, dense)
        centred = dense - dense.mean(axis=0)
        values, vectors = np.linalg.eigh(centred.T @ centred)
        for i in range(2):
            assert abs(pca.components[i] @ vectors[:, -1 - i]) == pytest.approx(1.0, abs=1e-6)
            assert pca.eigenvalues[i] == pytest.approx(values[-1 - i], rel=1e-6)
            # Fixed sign: the largest loading is positive.
            assert pca.components[i][np.argmax(np.abs(pca.components[i]))] > 0


def test_it_keeps_axis_signs_aligned_with_the_previous_update() -> None:
    p, s, v, _ = camps()
    matrix = build_vote_matrix(p, s, v)
    first = principal_components(matrix)
    flipped = principal_components(matrix, previous=-first.components)
    assert np.allclose(flipped.components, -first.components)


def test_it_scales_projections_by_how_little_a_participant_voted() -> None:
    # Two statements; participant 0 voted both, participant 1 only the first.
    matrix = build_vote_matrix([0, 0, 1, 2, 2], [0, 1, 0, 0, 1], [1, 1, 1, -1, -1])
    pca = principal_components(matrix)
    coords = project_participants(matrix, pca)
    pc = pca.components
    c = pca.center
    expected_0 = ((1 - c[0]) * pc[:, 0] + (1 - c[1]) * pc[:, 1]) * np.sqrt(2 / 2)
    expected_1 = ((1 - c[0]) * pc[:, 0]) * np.sqrt(2 / 1)
    assert coords[0] == pytest.approx(expected_0)
    assert coords[1] == pytest.approx(expected_1)
    stmt_coords, extremity = project_statements(matrix, pca)
    assert stmt_coords[0] == pytest.approx((1 - c[0]) * pc[:, 0] * np.sqrt(2))
    assert extremity == pytest.approx(np.linalg.norm(stmt_coords, axis=1))


def test_it_counts_zeroed_moderated_columns_as_seen_by_everyone() -> None:
    # Pol.is sets a moderated column to 0 in every row, so the scale counts it for all;
    # a statement nobody voted on has no column and counts for no one.
    p, s, v = [0, 0, 1, 2, 2, 3], [0, 1, 0, 0, 1, 2], [1, 1, 1, -1, -1, 1]
    matrix = build_vote_matrix(p, s, v, n_statements=4, moderated_out=[2])
    pca = principal_components(matrix)
    coords = project_participants(matrix, pca)
    pc, c = pca.components, pca.center
    # Columns 0, 1, 2 exist (3); everyone has seen the zeroed column 2.
    assert coords[0] == pytest.approx(
        ((1 - c[0]) * pc[:, 0] + (1 - c[1]) * pc[:, 1]) * np.sqrt(3 / 3)
    )
    assert coords[1] == pytest.approx((1 - c[0]) * pc[:, 0] * np.sqrt(3 / 2))
    assert coords[3] == pytest.approx([0.0, 0.0])
    stmt_coords, _ = project_statements(matrix, pca)
    assert stmt_coords[0] == pytest.approx((1 - c[0]) * pc[:, 0] * np.sqrt(3))
    assert stmt_coords[2] == pytest.approx([0.0, 0.0])


# --- clustering ---------------------------------------------------------------------


def test_it_finds_two_groups_for_two_opinion_camps() -> None:
    p, s, v, truth = camps((30, 20))
    result = run_pipeline(p, s, v)
    assert result.n_groups == 2
    assert adjusted_rand_index(truth, result.group_labels) == 1.0
    # Each group is described by agreeing with its own block of statements.
    for g in range(2):
        camp = int(np.bincount(truth[result.group_labels == g]).argmax())
        agreed = [r.statement for r in result.representative[g] if r.direction == "agree"]
        assert agreed
        assert all(stmt // 12 == camp for stmt in agreed)


def test_it_finds_three_groups_for_three_camps() -> None:
    p, s, v, truth = camps((25, 20, 15), n_statements=30)
    result = run_pipeline(p, s, v)
    assert result.n_groups == 3
    assert adjusted_rand_index(truth, result.group_labels) == 1.0
    assert result.best_k == max(result.silhouettes, key=result.silhouettes.get)


def test_it_can_guard_the_first_update_against_camps_arriving_one_after_another() -> None:
    # Pol.is seeds the groups with the first base clusters; when the first arrivals all
    # share one opinion, every seed starts in that camp.
    p, s, v, truth = camps((25, 20, 15), n_statements=30, camp_by_camp=True)
    method = run_pipeline(p, s, v)
    assert adjusted_rand_index(truth, method.group_labels) < 0.8
    robust = run_pipeline(p, s, v, options=PipelineOptions(group_starts="robust"))
    assert robust.n_groups == 3
    assert adjusted_rand_index(truth, robust.group_labels) == 1.0


@pytest.mark.parametrize("seed", [3, 7])
def test_robust_starts_find_a_camp_that_arrives_after_the_others_while_updates_run(seed: int) -> None:
    # One update after each participant, state carried, as the app runs. Carried
    # clusterings alone keep the third camp merged into another (a k-means optimum they
    # never leave); fresh starts at each update find it.
    p, s, v, truth = camps((40, 30, 20), n_statements=30, camp_by_camp=True, seed=seed)
    cuts = np.append(np.flatnonzero(np.diff(p)) + 1, len(p))
    shape = {"n_participants": 90, "n_statements": 30}
    method = replay(p, s, v, cuts, **shape).result
    robust = replay(p, s, v, cuts, options=PipelineOptions(group_starts="robust"), **shape).result
    assert robust.n_groups == 3 and adjusted_rand_index(truth, robust.group_labels) == 1.0
    assert method.n_groups == 2 and adjusted_rand_index(truth, method.group_labels) < 0.8


def test_robust_starts_keep_the_group_numbers_when_they_replace_a_clustering() -> None:
    p, s, v, _ = camps((40, 30, 20), n_statements=30, camp_by_camp=True, seed=7)
    cuts = np.append(np.flatnonzero(np.diff(p)) + 1, len(p))
    options = PipelineOptions(group_starts="robust")
    before = replay(p, s, v, cuts[:-10], n_participants=90, n_statements=30, options=options).result
    after = run_pipeline(p, s, v, n_participants=90, n_statements=30, options=options, previous=before.state)
    both = (before.group_labels >= 0) & (after.group_labels >= 0)
    assert np.mean(before.group_labels[both] == after.group_labels[both]) > 0.9


def test_it_gives_the_same_result_for_the_same_votes() -> None:
    p, s, v, _ = camps((25, 20, 15), n_statements=30, seed=11)
    first = run_pipeline(p, s, v, moderated_out=[3])
    second = run_pipeline(p.copy(), s.copy(), v.copy(), moderated_out=[3])
    assert np.array_equal(first.coordinates, second.coordinates)
    assert np.array_equal(first.group_labels, second.group_labels)
    assert np.array_equal(first.priorities, second.priorities)
    assert first.representative == second.representative
    assert first.consensus == second.consensus


def test_it_keeps_the_same_groups_when_updated_with_the_same_votes() -> None:
    p, s, v, _ = camps((25, 20, 15), n_statements=30, seed=5)
    first = run_pipeline(p, s, v)
    again = run_pipeline(p, s, v, previous=first.state)
    assert np.array_equal(first.group_labels, again.group_labels)
    assert np.allclose(first.coordinates, again.coordinates)


def test_it_weights_k_means_by_member_count() -> None:
    points = np.array([[0.0, 0.0], [2.0, 0.0], [10.0, 0.0]])
    result = kmeans(points, 2, weights=np.array([3.0, 1.0, 1.0]), init=points[[0, 2]])
    assert result.centres[0] == pytest.approx([0.5, 0.0])
    assert result.weights.tolist() == [4.0, 1.0]


def test_it_scores_a_lonely_base_cluster_zero_in_the_silhouette() -> None:
    points = np.array([[0.0, 0.0], [0.0, 1.0], [10.0, 0.0]])
    score = silhouette(points, np.array([0, 0, 1]))
    a, b = 1.0, (10.0 + np.hypot(10.0, 1.0)) / 2
    assert score == pytest.approx(2 * (b - a) / b / 3)


def test_it_tries_at_most_two_groups_for_few_base_clusters() -> None:
    rng = np.random.default_rng(0)
    points = rng.normal(size=(11, 2))
    base = kmeans(points, 100)
    assert set(group_candidates(base).silhouettes) <= {2}


# --- carrying clusters from one update to the next ---------------------------------


def test_it_recentres_previous_clusters_on_their_members_new_positions() -> None:
    points = np.array([[0.0, 0.0], [2.0, 0.0], [9.0, 9.0], [5.0, 5.0]])
    # Cluster 1 lost its members; the last point is new (-1).
    centres, start = recentre(points, np.array([0, 0, 2, -1]), 3)
    assert centres.tolist() == [[1.0, 0.0], [9.0, 9.0]]
    assert start.tolist() == [0, -1, 1]


def test_it_splits_off_the_most_distal_points_to_reach_k() -> None:
    points = np.array([[0.0, 0.0], [0.2, 0.0], [10.0, 0.0]])
    init = warm_start(points, 3, np.array([0, 0, -1]))
    # The carried cluster, then the newcomer far away, then the farthest point left.
    assert init.tolist() == [[0.1, 0.0], [10.0, 0.0], [0.0, 0.0]]


def test_a_group_keeps_its_number_when_its_base_cluster_breaks_up() -> None:
    # Few participants: each becomes its own base cluster once their votes differ, so the
    # recentred cluster of the four who agreed loses every member. Their group must not
    # lose its number to the lone dissenter's (found in review).
    first = [(i, s, 1) for i in (0, 1, 3, 4) for s in (0, 1)] + [(2, 0, -1), (2, 1, -1)]
    later = [*first, (2, 2, -1), (2, 3, -1), (2, 4, -1), (0, 2, 1), (1, 3, 1), (3, 4, 1), (4, 2, 1), (4, 3, 1)]

    def update(triples, options, previous=None):
        return run_pipeline(*zip(*triples, strict=True), n_participants=5, n_statements=5, options=options,
                            previous=previous)

    for starts in ("method", "robust"):
        options = PipelineOptions(min_participants=5, group_starts=starts)
        a = update(first, options)
        b = update(later, options, a.state)
        assert a.group_labels.tolist() == b.group_labels.tolist() == [0, 0, 1, 0, 0]


def test_it_keeps_each_participants_group_number_across_updates() -> None:
    p, s, v, truth = camps((25, 20, 15), n_statements=30, seed=3)
    order = np.random.default_rng(3).permutation(len(p))  # votes arrive from everyone at once
    p, s, v = p[order], s[order], v[order]
    part = len(p) * 2 // 3
    first = run_pipeline(p[:part], s[:part], v[:part], n_participants=60, n_statements=30)
    assert first.n_groups == 3
    later = run_pipeline(p, s, v, n_participants=60, n_statements=30, previous=first.state)
    cold = run_pipeline(p, s, v, n_participants=60, n_statements=30)
    both = (first.group_labels >= 0) & (later.group_labels >= 0)
    assert both.sum() >= 30
    # Same partition either way, but only the carried one keeps the numbers people saw.
    assert adjusted_rand_index(later.group_labels, cold.group_labels) == 1.0
    assert adjusted_rand_index(later.group_labels, truth) == 1.0
    assert np.array_equal(first.group_labels[both], later.group_labels[both])


def test_it_carries_a_clustering_for_every_group_count_it_tried() -> None:
    p, s, v, _ = camps((25, 20, 15), n_statements=30)
    result = run_pipeline(p, s, v)
    state = result.state
    assert set(state.group_labels_by_k) == set(result.silhouettes)
    assert all(labels.shape == (result.base_clusters.k,) for labels in state.group_labels_by_k.values())
    clustered = result.in_conversation
    assert (state.base_labels[clustered] >= 0).all() and (state.base_labels[~clustered] == -1).all()


def test_it_cuts_the_vote_stream_where_debounced_updates_would_run() -> None:
    ts = [0, 1, 4, 5, 6, 20, 30, 31]
    assert update_cuts(ts, 5).tolist() == [4, 5, 6, 8]
    assert update_cuts(ts, 0).tolist() == [1, 2, 3, 4, 5, 6, 7, 8]
    assert update_cuts([], 5).tolist() == []
    with pytest.raises(ValueError):
        update_cuts([3, 1], 5)


def test_a_replay_ends_where_the_same_updates_run_by_hand_end() -> None:
    p, s, v, _ = camps((25, 20, 15), n_statements=30, seed=4)
    cuts = [len(p) // 3, 2 * len(p) // 3, len(p)]
    state = None
    for end in cuts:
        by_hand = run_pipeline(p[:end], s[:end], v[:end], n_participants=60, n_statements=30, previous=state)
        state = by_hand.state
    replayed = replay(p, s, v, cuts, n_participants=60, n_statements=30)
    assert replayed.n_updates == 3
    assert np.array_equal(replayed.result.group_labels, by_hand.group_labels)


def test_new_groups_take_the_numbers_of_the_old_groups_they_share_most_with() -> None:
    # A split: old groups 0 and 1; new group 0 holds most of old 1, new 2 most of old 0.
    split = np.array([[1.0, 9.0], [0.0, 1.0], [8.0, 0.0]])
    assert matching_numbers(split).tolist() == [1, 2, 0]
    # A merge: three old groups into two; old number 2 cannot be kept.
    merge = np.array([[0.0, 5.0, 7.0], [6.0, 0.0, 0.0]])
    assert matching_numbers(merge).tolist() == [1, 0]
    assert matching_numbers(np.zeros((3, 0))).tolist() == [0, 1, 2]


def test_when_a_group_splits_the_others_keep_their_numbers() -> None:
    # The newcomers have the lowest participant numbers (as when members of an early
    # organization vote late), so a fresh clustering would number their group first.
    p, s, v, truth = camps((30, 30, 30), n_statements=30, camp_by_camp=True, seed=2)
    two_camps = p >= 30
    options = PipelineOptions(group_k_buffer=1, group_starts="robust")  # new counts shown at once
    first = run_pipeline(p[two_camps], s[two_camps], v[two_camps], n_participants=90, n_statements=30, options=options)
    assert first.n_groups == 2
    later = run_pipeline(p, s, v, n_participants=90, n_statements=30, options=options, previous=first.state)
    assert later.n_groups == 3 and adjusted_rand_index(truth, later.group_labels) == 1.0
    earlier = first.group_labels[30:] >= 0
    assert np.array_equal(later.group_labels[30:][earlier], first.group_labels[30:][earlier])
    assert set(later.group_labels[:30].tolist()) == {2}  # the newcomers' group comes last
    assert later.state.n_groups == 3


# --- k smoothing --------------------------------------------------------------------


def test_it_changes_the_group_count_only_after_four_wins_in_a_row() -> None:
    state = smooth_k(None, 2)
    shown = []
    for best in [3, 3, 3, 2, 3, 3, 3, 3, 4]:
        state = smooth_k(state, best)
        shown.append(state.smoothed_k)
    assert shown == [2, 2, 2, 2, 2, 2, 2, 3, 3]


def test_it_carries_the_smoother_across_pipeline_updates() -> None:
    p, s, v, _ = camps((25, 20, 15), n_statements=30)
    assert run_pipeline(p, s, v).n_groups == 3
    state = PipelineState(k_smoother=KSmootherState(smoothed_k=2, candidate_k=2, streak=0))
    shown = []
    for _ in range(4):
        result = run_pipeline(p, s, v, previous=state)
        state = result.state
        shown.append(result.n_groups)
    assert shown == [2, 2, 2, 3]


def test_it_falls_back_when_the_smoothed_group_count_is_not_possible() -> None:
    p, s, v, _ = camps((30, 20))
    base = run_pipeline(p, s, v).base_clusters
    candidates = group_candidates(base, max_k=3)
    assert displayed_k(5, candidates) == 3
    assert displayed_k(1, candidates) == 1


# --- statistics ---------------------------------------------------------------------


def test_it_computes_the_z_scores_of_the_method() -> None:
    assert prop_test(np.array([9]), np.array([10]))[0] == pytest.approx(
        2 * np.sqrt(11) * (10 / 11 - 0.5)
    )
    p1, p2 = 10 / 11, 3 / 11
    pooled = 13 / 22
    expected = (p1 - p2) / np.sqrt(pooled * (1 - pooled) * (2 / 11))
    assert two_prop_test(np.array([9]), np.array([10]), np.array([2]), np.array([10]))[
        0
    ] == pytest.approx(expected)
    # A pooled rate of 1 has no variance: 0, not a division by zero.
    assert two_prop_test(np.array([0]), np.array([0]), np.array([0]), np.array([0]))[0] == 0.0


def test_it_calls_a_statement_representative_only_when_significant() -> None:
    gv = GroupVotes(
        agree=np.array([[20, 2, 2], [0, 1, 1]]),
        disagree=np.array([[0, 0, 0], [20, 1, 1]]),
        passes=np.zeros((2, 3), dtype=np.int64),
    )
    rep = representativeness(gv)
    assert rep.rat[0, 0] > Z95 and rep.pat[0, 0] > Z95
    assert rep.agree_significant()[0].tolist() == [True, False, False]
    assert rep.disagree_significant()[1].tolist() == [True, False, False]
    assert rep.pa[0, 0] == pytest.approx(21 / 22)
    assert rep.ra[0, 0] == pytest.approx((21 / 22) / (1 / 22))


def test_it_lists_a_unanimous_statement_as_consensus() -> None:
    p, s, v, _ = camps((30, 20), unanimous=2)
    result = run_pipeline(p, s, v)
    assert result.consensus.agree[0].statement == 2
    assert result.group_informed_consensus[0] == 2
    assert int(np.argmax(result.group_consensus_agree)) == 2
    # A statement one camp loves and the other rejects divides, it does not unite.
    assert 2 not in result.divisive
    assert result.divisiveness[0] > 0.8


def test_it_leaves_moderated_statements_out_of_every_report() -> None:
    p, s, v, _ = camps((30, 20), unanimous=2)
    result = run_pipeline(p, s, v, moderated_out=[2, 0])
    listed = {r.statement for group in result.representative for r in group}
    listed |= {c.statement for c in result.consensus.agree + result.consensus.disagree}
    listed |= set(result.divisive) | set(result.group_informed_consensus)
    assert not listed & {0, 2}
    assert result.priorities[[0, 2]].tolist() == [0.0, 0.0]
    assert result.group_votes.agree[:, 2].sum() > 0  # raw tallies are still reported


def test_it_counts_group_votes_by_kind() -> None:
    matrix = build_vote_matrix([0, 0, 1, 2, 3], [0, 1, 0, 0, 0], [1, -1, 0, 1, 1])
    gv = group_votes(matrix, np.array([0, 1, 1, -1]), 2)
    assert gv.agree.tolist() == [[1, 0], [1, 0]]
    assert gv.disagree.tolist() == [[0, 1], [0, 0]]
    assert gv.passes.tolist() == [[0, 0], [1, 0]]
    assert gv.votes.tolist() == [[1, 1], [2, 0]]


def test_it_routes_new_decisive_statements_first() -> None:
    def prio(agree: int, disagree: int, passes: int, extremity: float = 1.0) -> float:
        gv = GroupVotes(
            agree=np.array([[agree]]), disagree=np.array([[disagree]]), passes=np.array([[passes]])
        )
        none = np.zeros(1, dtype=bool)
        return float(
            statement_priorities(gv, np.array([extremity]), moderated_out=none, meta=none)[0]
        )

    # Novelty: the same proportions with fewer votes rank higher.
    assert prio(2, 1, 0) > prio(20, 10, 0) > prio(200, 100, 0)
    # Passes lower the priority, agreement and extremity raise it.
    assert prio(10, 10, 0) > prio(10, 10, 20)
    assert prio(20, 5, 0) > prio(5, 20, 0)
    assert prio(10, 10, 0, extremity=3.0) > prio(10, 10, 0, extremity=0.0)
    # A never-voted statement: importance (1/2)(E+1)(1/2), novelty 9.
    assert prio(0, 0, 0, extremity=1.0) == pytest.approx((0.5 * 2 * 0.5 * 9) ** 2)
    gv = GroupVotes(agree=np.ones((1, 3)), disagree=np.ones((1, 3)), passes=np.zeros((1, 3)))
    special = statement_priorities(
        gv,
        np.zeros(3),
        moderated_out=np.array([False, True, False]),
        meta=np.array([False, False, True]),
    )
    assert special[1:].tolist() == [0.0, 49.0]


def test_it_draws_unseen_statements_in_proportion_to_priority() -> None:
    rng = np.random.default_rng(0)
    priority = np.array([1.0, 0.0, 3.0, 6.0])
    seen = np.array([False, False, False, True])
    draws = [choose_next_statement(priority, seen, rng) for _ in range(4000)]
    counts = np.bincount(np.array(draws), minlength=4)
    assert counts[1] == 0 and counts[3] == 0
    assert counts[2] / counts[0] == pytest.approx(3.0, rel=0.15)
    assert choose_next_statement(priority, np.ones(4, dtype=bool), rng) is None


# --- adjusted Rand index ------------------------------------------------------------


def test_it_computes_the_adjusted_rand_index_of_known_examples() -> None:
    assert adjusted_rand_index([0, 0, 1, 1], [1, 1, 0, 0]) == 1.0
    assert adjusted_rand_index([0, 0, 1, 1], [0, 0, 1, 2]) == pytest.approx(4 / 7)
    assert adjusted_rand_index([0, 0, 0, 0], [0, 1, 2, 3]) == 0.0
    assert adjusted_rand_index([0, 0, 1, 2], [0, 0, 1, 1]) == pytest.approx(4 / 7)


@settings(max_examples=60)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 4)), min_size=2, max_size=40))
def test_adjusted_rand_index_is_symmetric_and_ignores_label_names(
    pairs: list[tuple[int, int]],
) -> None:
    a = np.array([x for x, _ in pairs])
    b = np.array([y for _, y in pairs])
    ari = adjusted_rand_index(a, b)
    assert ari == pytest.approx(adjusted_rand_index(b, a))
    assert ari == pytest.approx(adjusted_rand_index(a * 7 + 3, b))
    assert -1.0 <= ari <= 1.0 + 1e-12
    assert adjusted_rand_index(a, a) == 1.0


# --- whole pipeline on arbitrary votes ----------------------------------------------


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 29), st.integers(0, 11), st.sampled_from([-1, 0, 1])),
        max_size=250,
    ),
    st.sets(st.integers(0, 11), max_size=3),
)
def test_the_pipeline_is_well_formed_on_any_votes(
    triples: list[tuple[int, int, int]], moderated: set[int]
) -> None:
    cols = list(zip(*triples, strict=True)) if triples else [[], [], []]
    result = run_pipeline(
        *cols, n_participants=30, n_statements=12, moderated_out=sorted(moderated)
    )
    k = result.n_groups
    assert np.isfinite(result.coordinates).all()
    assert ((result.group_labels >= 0) == result.in_conversation).all()
    assert result.group_labels.max(initial=-1) < k
    assert np.all(result.priorities >= 0)
    assert np.all((result.group_consensus_agree >= 0) & (result.group_consensus_agree <= 1))
    # Group tallies add up to the votes of the participants in groups.
    matrix = build_vote_matrix(*cols, n_participants=30, n_statements=12)
    counted = result.in_conversation[matrix.rows]
    assert result.group_votes.votes.sum() == counted.sum()
    assert len(result.representative) == k
    for group in result.representative:
        assert len(group) <= 5
        directions = [r.direction for r in group]
        assert directions == sorted(directions)  # agree before disagree
        assert not {r.statement for r in group} & moderated


def test_it_accepts_options_for_the_2017_method() -> None:
    p, s, v, truth = camps((30, 20))
    result = run_pipeline(p, s, v, options=PipelineOptions(imputation="zero", min_votes=1))
    assert result.in_conversation.all()
    assert adjusted_rand_index(truth, result.group_labels) == 1.0


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 29), st.integers(0, 11), st.sampled_from([-1, 0, 1])),
        min_size=1,
        max_size=250,
    ),
    st.lists(st.integers(1, 250), min_size=1, max_size=4),
    st.sampled_from(["method", "robust"]),
)
def test_updates_carrying_state_stay_well_formed_on_any_votes(
    triples: list[tuple[int, int, int]], cuts: list[int], starts: str
) -> None:
    # The vote stream cut into successive updates, each started from the last one's state,
    # and the matrix growing between them (participants and statements arrive later).
    p, s, v = (np.array(column) for column in zip(*triples, strict=True))
    bounds = sorted({min(c, len(triples)) for c in cuts} | {len(triples)})
    state = None
    options = PipelineOptions(group_starts=starts)
    for end in bounds:
        n = int(p[:end].max()) + 1
        m = int(s[:end].max()) + 1
        result = run_pipeline(p[:end], s[:end], v[:end], n_participants=n, n_statements=m,
                              previous=state, options=options)
        assert ((result.group_labels >= 0) == result.in_conversation).all()
        assert result.group_labels.max(initial=-1) < max(result.n_groups, 1)
        assert set(result.state.group_labels_by_k) == set(result.silhouettes)
        for k, labels in result.state.group_labels_by_k.items():
            assert labels.shape == (result.base_clusters.k,) and set(labels.tolist()) == set(range(k))
        state = result.state


def test_the_first_groups_are_lettered_from_the_largest() -> None:
    p, s, v, _ = camps((15, 25, 20), n_statements=30, seed=9)
    result = run_pipeline(p, s, v)
    sizes = np.bincount(result.group_labels[result.group_labels >= 0])
    assert sizes.tolist() == [25, 20, 15]
