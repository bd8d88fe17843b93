"""How the convenings capability plugs into core (see ``tequio.core.registry``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tequio.core.registry import Capability, NavItem, lazy

from .permissions import ACTIONS
from .walk import EXPECTATIONS

CAPABILITY = Capability(
    label="convenings",
    name=_("Convenings"),
    urls="tequio.convenings.urls",
    api_router="tequio.convenings.api:router",
    nav=(
        NavItem("convenings:convening_list", _("Convenings"), "convenings.view"),
        NavItem("convenings:questionnaire_list", _("Questionnaires"), "convenings.learn"),
    ),
    actions=ACTIONS,
    home_panel=lazy("tequio.convenings.selectors:home_panel"),
    home_template="convenings/partials/_home_panel.html",
    export=lazy("tequio.convenings.exchange:export_community"),
    import_=lazy("tequio.convenings.exchange:import_community"),
    demo_seed=lazy("tequio.convenings.demo:demo_seed"),
    bench_generate=lazy("tequio.convenings.bench:bench_generate"),
    bench_pages=lazy("tequio.convenings.bench:bench_pages"),
    url_expectations=EXPECTATIONS,
    url_walk_objects=lazy("tequio.convenings.walk:url_walk_objects"),
)
