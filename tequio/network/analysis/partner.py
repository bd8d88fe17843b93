"""PARTNER-style trust and value scores from a network survey wave.

Each respondent organization i rates each partner j it selected on six items, 1 (not at
all) to 4 (a great deal); an item left blank is None:

* trust = mean(reliability, mission, openness)
* value = mean(power, involvement, resources)

Aggregation (methods file, section 1.3):

* dyad: T_ij is the mean of its three items, and missing if any item is missing;
* organization, received: T_j = mean of T_ij over the respondents i that rated j with a
  complete trust score ("Total Trust" in the PARTNER literature); given: mean over the
  partners i rated;
* each of the six items is aggregated the same way, item by item, using every available
  answer to that item;
* network: two labelled options, the mean of all dyad scores (`basis="dyad"`) and the mean
  of the organizations' received scores (`basis="organization"`);
* reciprocity: for pairs that rated each other, the correlation of T_ij with T_ji (entered
  in both orders, i.e. the pairwise intraclass correlation) and the mean |T_ij - T_ji|.

The raw 1-4 mean is the canonical figure; we do not compute the "percent" view because its
convention (mean/4 or (mean-1)/3) is unconfirmed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from math import fsum, sqrt
from typing import Literal

from tequio.network.analysis.graph import NodeId

TRUST_ITEMS: tuple[str, ...] = ("reliability", "mission", "openness")
VALUE_ITEMS: tuple[str, ...] = ("power", "involvement", "resources")
ITEMS: tuple[str, ...] = TRUST_ITEMS + VALUE_ITEMS
SCALE_MIN, SCALE_MAX = 1, 4


@dataclass(frozen=True)
class PartnerRating:
    """One respondent's answers about one partner; None marks an unanswered item."""

    rater: NodeId
    rated: NodeId
    reliability: int | None = None
    mission: int | None = None
    openness: int | None = None
    power: int | None = None
    involvement: int | None = None
    resources: int | None = None


@dataclass(frozen=True)
class DyadScore:
    """Trust and value that `rater` gives `rated`; None unless all three items are present."""

    rater: NodeId
    rated: NodeId
    trust: float | None
    value: float | None


@dataclass(frozen=True)
class Mean:
    """A mean and the number of scores behind it (`value` is None when `n` is 0)."""

    value: float | None
    n: int


@dataclass(frozen=True)
class OrganizationScores:
    """Received and given scores of one organization, overall and per item."""

    organization: NodeId
    trust_received: Mean
    trust_given: Mean
    value_received: Mean
    value_given: Mean
    items_received: Mapping[str, Mean]
    items_given: Mapping[str, Mean]

    @property
    def trust_gap(self) -> float | None:
        """Trust received minus trust given: a sign of asymmetric trust."""
        if self.trust_received.value is None or self.trust_given.value is None:
            return None
        return self.trust_received.value - self.trust_given.value


@dataclass(frozen=True)
class NetworkScore:
    """A network-level mean of `measure` ("trust", "value" or an item) on a labelled `basis`.

    ``basis="dyad"``: mean over all rated pairs. ``basis="organization"``: mean over
    organizations of their received score, so every rated organization weighs the same.
    """

    measure: str
    basis: Literal["dyad", "organization"]
    value: float | None
    n: int


@dataclass(frozen=True)
class Reciprocity:
    """Agreement of trust within pairs that rated each other (complete trust both ways).

    `correlation` is Pearson's r over both orders of every pair (double entry), None with
    fewer than two pairs or no variance.
    """

    pairs: int
    correlation: float | None
    mean_absolute_difference: float | None


@dataclass(frozen=True)
class PartnerScores:
    """All scores of one survey wave."""

    dyads: tuple[DyadScore, ...]
    organizations: Mapping[NodeId, OrganizationScores]
    network: tuple[NetworkScore, ...]
    reciprocity: Reciprocity

    def network_score(self, measure: str, basis: Literal["dyad", "organization"]) -> NetworkScore:
        """The network score for one measure and basis."""
        for score in self.network:
            if score.measure == measure and score.basis == basis:
                return score
        raise KeyError((measure, basis))


def _mean(values: list[float]) -> Mean:
    return Mean(fsum(values) / len(values) if values else None, len(values))


def _validate(ratings: Iterable[PartnerRating]) -> list[PartnerRating]:
    seen: set[tuple[NodeId, NodeId]] = set()
    checked: list[PartnerRating] = []
    for k, rating in enumerate(ratings):
        if rating.rater == rating.rated:
            raise ValueError(f"rating {k}: an organization cannot rate itself")
        if (rating.rater, rating.rated) in seen:
            raise ValueError(f"rating {k}: {rating.rater!r} rated {rating.rated!r} twice")
        seen.add((rating.rater, rating.rated))
        for item in ITEMS:
            answer = getattr(rating, item)
            if answer is None:
                continue
            # bool is an int subclass; True must not pass as a 1.
            if isinstance(answer, bool) or not isinstance(answer, int):
                raise ValueError(f"rating {k}: {item} must be an integer or None")
            if not SCALE_MIN <= answer <= SCALE_MAX:
                raise ValueError(f"rating {k}: {item} must be between {SCALE_MIN} and {SCALE_MAX}")
        checked.append(rating)
    return checked


def _composite(rating: PartnerRating, items: tuple[str, ...]) -> float | None:
    answers = [getattr(rating, item) for item in items]
    if any(answer is None for answer in answers):
        return None
    return fsum(answers) / len(answers)


def _pearson(xs: list[float], ys: list[float]) -> float | None:
    if len(xs) < 4:  # fewer than two mutual pairs
        return None
    mx, my = fsum(xs) / len(xs), fsum(ys) / len(ys)
    sxy = fsum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = fsum((x - mx) ** 2 for x in xs)
    syy = fsum((y - my) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return None
    return sxy / sqrt(sxx * syy)


def partner_scores(ratings: Iterable[PartnerRating]) -> PartnerScores:
    """Dyad, organization and network trust/value scores; see the module docstring.

    Raises ValueError on an answer outside 1-4, a self-rating or a pair rated twice.
    Organizations appear in `organizations` if they rated or were rated, in first-seen order.
    """
    checked = _validate(ratings)
    dyads = tuple(
        DyadScore(r.rater, r.rated, _composite(r, TRUST_ITEMS), _composite(r, VALUE_ITEMS))
        for r in checked
    )

    orgs: dict[NodeId, None] = {}
    received: dict[str, dict[NodeId, list[float]]] = defaultdict(lambda: defaultdict(list))
    given: dict[str, dict[NodeId, list[float]]] = defaultdict(lambda: defaultdict(list))
    for rating, dyad in zip(checked, dyads, strict=True):
        orgs.setdefault(rating.rater)
        orgs.setdefault(rating.rated)
        answers: dict[str, float | None] = {item: getattr(rating, item) for item in ITEMS}
        answers["trust"], answers["value"] = dyad.trust, dyad.value
        for measure, answer in answers.items():
            if answer is not None:
                received[measure][rating.rated].append(float(answer))
                given[measure][rating.rater].append(float(answer))

    organizations = {
        org: OrganizationScores(
            organization=org,
            trust_received=_mean(received["trust"][org]),
            trust_given=_mean(given["trust"][org]),
            value_received=_mean(received["value"][org]),
            value_given=_mean(given["value"][org]),
            items_received={item: _mean(received[item][org]) for item in ITEMS},
            items_given={item: _mean(given[item][org]) for item in ITEMS},
        )
        for org in orgs
    }

    network: list[NetworkScore] = []
    for measure in ("trust", "value", *ITEMS):
        all_scores = [s for org in orgs for s in received[measure][org]]
        dyad_mean = _mean(all_scores)
        network.append(NetworkScore(measure, "dyad", dyad_mean.value, dyad_mean.n))
        org_means = [
            m.value for org in orgs if (m := _mean(received[measure][org])).value is not None
        ]
        org_mean = _mean(org_means)
        network.append(NetworkScore(measure, "organization", org_mean.value, org_mean.n))

    trust_of = {(d.rater, d.rated): d.trust for d in dyads if d.trust is not None}
    # Double entry (each mutual pair in both orders) makes the correlation independent of
    # which member happens to come first: it is the pairwise intraclass correlation.
    xs: list[float] = []
    ys: list[float] = []
    for (i, j), t_ij in trust_of.items():
        t_ji = trust_of.get((j, i))
        if t_ji is not None:
            xs.append(t_ij)
            ys.append(t_ji)
    differences = [abs(x - y) for x, y in zip(xs, ys, strict=True)]
    reciprocity = Reciprocity(
        pairs=len(xs) // 2,
        correlation=_pearson(xs, ys),
        mean_absolute_difference=fsum(differences) / len(differences) if differences else None,
    )
    return PartnerScores(dyads, organizations, tuple(network), reciprocity)
