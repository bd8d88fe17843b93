"""The server-drawn map writes names where they can be read."""

from __future__ import annotations

from tequio.network.svg import _place_labels


def _rect(x, y, anchor, text, font=12):
    width, height = 0.56 * font * len(text), font * 1.1
    if anchor == "start":
        return x - 1, y - font / 3 - height / 2, x + width, y - font / 3 + height / 2
    if anchor == "end":
        return x - width, y - font / 3 - height / 2, x + 1, y - font / 3 + height / 2
    return x - width / 2, y - height, x + width / 2, y


def test_names_never_overlap_each_other_and_crowded_ones_are_left_out():
    # Nine organizations on top of each other and one far away.
    xs = [100 + 3 * i for i in range(9)] + [600]
    ys = [100 + 2 * i for i in range(9)] + [300]
    radii = [6.0] * 10
    names = [f"Organización número {i}" for i in range(10)]
    order = list(range(10))
    placed = _place_labels(order, xs, ys, radii, names, 12, (0, 0, 800, 400), list(zip(xs, ys, radii, strict=True)))
    rects = [_rect(*label) for label in placed]
    for i, a in enumerate(rects):
        for b in rects[i + 1:]:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)
    written = {text for *_xy, text in placed}
    assert "Organización número 9" in written  # the lone one always gets its name
    assert len(placed) < 10  # the crowd cannot all be named; their circles keep a tooltip


def test_a_long_name_is_shortened_rather_than_run_off_the_map():
    placed = _place_labels([0], [790], [50], [6.0], ["Centro de Fortalecimiento Institucional Ollin"], 12,
                           (0, 0, 800, 100), [(790, 50, 6.0)])
    (x, _y, anchor, text), = placed
    assert anchor in {"end", "middle"} or x + 0.56 * 12 * len(text) <= 800
    assert text.endswith("…")
