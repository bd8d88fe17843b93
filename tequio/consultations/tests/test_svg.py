"""The pictures drawn on the server: the participation timeline and the vote bars."""

from __future__ import annotations

from tequio.consultations import svg


def test_quiet_days_are_empty_bars_on_the_calendar():
    timeline = svg.timeline_bars([["2020-02-03", 10, 4], ["2020-02-06", 5, 2]])
    assert timeline["unit"] == "day"
    assert [(bar["day"].isoformat(), bar["votes"]) for bar in timeline["bars"]] == [
        ("2020-02-03", 10), ("2020-02-04", 0), ("2020-02-05", 0), ("2020-02-06", 5)]
    assert timeline["bars"][1]["height"] == 0


def test_a_long_consultation_is_drawn_by_week_then_by_month_from_its_first_day():
    weeks = svg.timeline_bars([["2020-02-03", 10, 4], ["2020-05-01", 3, 1]])
    assert weeks["unit"] == "week" and weeks["by_week"]
    assert weeks["bars"][0]["day"].isoformat() == "2020-02-03" and sum(bar["votes"] for bar in weeks["bars"]) == 13
    # A vote years later must not push the first weeks off the picture.
    months = svg.timeline_bars([["2020-02-03", 10, 4], ["2026-11-23", 8, 1]])
    assert months["unit"] == "month" and len(months["bars"]) == 60
    assert months["bars"][-1]["day"].isoformat() == "2026-11-01" and months["bars"][-1]["votes"] == 8
    short = svg.timeline_bars([["2020-02-03", 10, 4], ["2022-12-23", 8, 1]])
    assert short["unit"] == "month" and short["bars"][0]["day"].isoformat() == "2020-02-01"
    assert sum(bar["votes"] for bar in short["bars"]) == 18


def test_every_bar_label_fits_left_of_its_bar():
    bars = svg.vote_bars({"all": [3, 1, 1], "groups": [[2, 0, 0], [1, 1, 1]]}, ["Todas las personas", "Grupo A", "Grupo B"])
    markup = svg.bars_markup(bars)
    assert 'x="132"' in markup and "Todas las personas" in markup
    assert [bar["agree_percent"] for bar in bars] == [60, 100, 33]
