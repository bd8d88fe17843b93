"""The report's plain-language summary: what a community takes to a dialogue with decision makers.

Called inside ``translation.override(consultation.language)``, so every sentence is in
the consultation's language whatever the reader's.
"""

from __future__ import annotations

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .selectors import Results


def _n(value: int) -> str:
    return number_format(value, force_grouping=True)


def _quote(text: str) -> str:
    # The sentence around the quotation ends it: "… priorities”." reads as a stray full stop.
    text = text.strip()
    if text.endswith(".") and not text.endswith(".."):
        text = text[:-1]
    return _("“%(text)s”") % {"text": text}


def _join(items: list[str]) -> str:
    """"A", "A and B", "A, B and C", in the current language."""
    if len(items) <= 1:
        return "".join(items)
    return _("%(first)s and %(last)s") % {"first": ", ".join(items[:-1]), "last": items[-1]}


SHOWN_COMMON_GROUND = 3
SHOWN_PER_GROUP = 2
SHOWN_DIFFERENCES = 2


def _participation(results: Results) -> str:
    data, counts = results.data, results.statement_counts
    people, votes = data["n_participants"], data["n_votes"]
    statements = counts.get("accepted", 0)
    text = (
        ngettext("%(people)s person took part", "%(people)s people took part", people) % {"people": _n(people)}
        + " "
        + ngettext("and cast %(votes)s vote", "and cast %(votes)s votes", votes) % {"votes": _n(votes)}
        + " "
        + ngettext("on %(statements)s statement.", "on %(statements)s statements.", statements)
        % {"statements": _n(statements)}
    )
    written = max(statements - counts.get("seeds", 0), 0)
    if written:
        text += " " + ngettext(
            "%(written)s statement was written by participants themselves.",
            "%(written)s statements were written by participants themselves.",
            written,
        ) % {"written": _n(written)}
    return text


def _group_sentence(group) -> str | None:
    """"Group A (20 people) stands out: 88% agree with “…”, against 46% of all participants; …"."""
    points = []
    for item in group.representative[:SHOWN_PER_GROUP]:
        overall = item.bars[0] if item.bars else None
        if overall is None or item.direction not in ("agree", "disagree"):
            continue
        template = (_("%(percent)s%% agree with %(text)s, against %(overall)s%% of all participants")
                    if item.direction == "agree" else
                    _("%(percent)s%% disagree with %(text)s, against %(overall)s%% of all participants"))
        points.append(template % {
            "percent": item.percent, "text": _quote(item.statement.text),
            "overall": overall["agree_percent" if item.direction == "agree" else "disagree_percent"],
        })
    if not points:
        return None
    return ngettext(
        "%(group)s (%(size)s person) stands out: %(points)s.",
        "%(group)s (%(size)s people) stands out: %(points)s.",
        group.size,
    ) % {"group": group.label, "size": _n(group.size), "points": "; ".join(points)}


def _difference(item, first: bool) -> str | None:
    shares = [bar for bar in item.bars[1:] if bar["total"]]
    if len(shares) < 2:
        return None
    most = max(shares, key=lambda bar: bar["agree_percent"])
    least = min(shares, key=lambda bar: bar["agree_percent"])
    template = (_("The groups differ most on %(text)s: %(most)s%% of %(high)s agree, against %(least)s%% of %(low)s.")
                if first else
                _("They also differ on %(text)s: %(most)s%% of %(high)s agree, against %(least)s%% of %(low)s."))
    return template % {"text": _quote(item.statement.text), "most": most["agree_percent"], "high": most["label"],
                       "least": least["agree_percent"], "low": least["label"]}


def summary(results: Results) -> list[str]:
    """Short paragraphs in plain words: participation, the groups and what sets each apart,
    common ground, and where the groups differ. Called in the consultation's language."""
    data = results.data
    if not data or not data.get("n_votes"):
        return [_("Nobody has voted yet, so there is nothing to summarize.")]
    paragraphs = [_participation(results)]

    groups = results.groups
    if len(groups) >= 2:
        sizes = ", ".join(
            _("%(group)s: %(size)s") % {"group": group.label, "size": _n(group.size)} for group in groups
        )
        paragraphs.append(
            ngettext(
                "Their votes fall into %(count)d opinion group (%(sizes)s).",
                "Their votes fall into %(count)d opinion groups (%(sizes)s).",
                len(groups),
            ) % {"count": len(groups), "sizes": sizes}
            + " "
            + _("People in the same group tend to vote alike; each group is described below by the statements that set it apart.")
        )
        paragraphs.extend(sentence for group in groups if (sentence := _group_sentence(group)))
    else:
        paragraphs.append(_("So far the votes do not separate into distinct opinion groups."))

    common = results.common_ground
    if common:
        quoted = _join([_quote(item.statement.text) for item in common[:SHOWN_COMMON_GROUND]])
        if len(common) <= SHOWN_COMMON_GROUND:
            paragraphs.append(_("Common ground: every opinion group supports %(list)s.") % {"list": quoted})
        else:
            paragraphs.append(_("Common ground: every opinion group supports %(count)s statements, among them %(list)s.")
                              % {"count": _n(len(common)), "list": quoted})
    elif results.consensus_agree:
        paragraphs.append(
            _("Most people agree with %(top)s, although not every group does.")
            % {"top": _quote(results.consensus_agree[0].statement.text)}
        )
    else:
        paragraphs.append(_("No statement is yet clearly supported across the groups."))

    if len(groups) >= 2:
        differences = [sentence for index, item in enumerate(results.divisive[:SHOWN_DIFFERENCES])
                       if (sentence := _difference(item, first=index == 0))]
        paragraphs.append(" ".join(differences) if differences else _("No statement clearly divides the groups."))
    return paragraphs
