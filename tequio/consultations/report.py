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
    return _("“%(text)s”") % {"text": text}


def summary(results: Results) -> list[str]:
    """A few short paragraphs: participation, groups, common ground, differences."""
    data = results.data
    counts = results.statement_counts
    paragraphs: list[str] = []
    if not data or not data.get("n_votes"):
        return [_("Nobody has voted yet, so there is nothing to summarize.")]

    people = data["n_participants"]
    votes = data["n_votes"]
    statements = counts.get("accepted", 0)
    participation = (
        ngettext("%(people)s person took part", "%(people)s people took part", people) % {"people": _n(people)}
        + " "
        + ngettext("and cast %(votes)s vote", "and cast %(votes)s votes", votes) % {"votes": _n(votes)}
        + " "
        + ngettext("on %(statements)s statement.", "on %(statements)s statements.", statements)
        % {"statements": _n(statements)}
    )
    written = max(statements - counts.get("seeds", 0), 0)
    if written:
        participation += " " + ngettext(
            "%(written)s statement was written by participants themselves.",
            "%(written)s statements were written by participants themselves.",
            written,
        ) % {"written": _n(written)}
    paragraphs.append(participation)

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
    else:
        paragraphs.append(_("So far the votes do not separate into distinct opinion groups."))

    if results.common_ground:
        top = results.common_ground[0].statement.text
        paragraphs.append(
            ngettext(
                "Common ground: %(count)d statement is supported in every group, led by %(top)s.",
                "Common ground: %(count)d statements are supported in every group, led by %(top)s.",
                len(results.common_ground),
            ) % {"count": len(results.common_ground), "top": _quote(top)}
        )
    elif results.consensus_agree:
        paragraphs.append(
            _("Most people agree with %(top)s, although not every group does.")
            % {"top": _quote(results.consensus_agree[0].statement.text)}
        )
    else:
        paragraphs.append(_("No statement is yet clearly supported across the groups."))

    if results.divisive:
        first = results.divisive[0]
        shares = [bar for bar in first.bars[1:] if bar["total"]]
        if len(shares) >= 2:
            most = max(shares, key=lambda bar: bar["agree_percent"])
            least = min(shares, key=lambda bar: bar["agree_percent"])
            paragraphs.append(
                _("The groups differ most on %(text)s: %(most)s%% of %(high)s agree, against %(least)s%% of %(low)s.")
                % {"text": _quote(first.statement.text), "most": most["agree_percent"], "high": most["label"],
                   "least": least["agree_percent"], "low": least["label"]}
            )
    return paragraphs
