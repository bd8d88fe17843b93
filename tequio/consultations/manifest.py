"""How the consultations capability plugs into core (see ``tequio.core.registry``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tequio.core.registry import Capability, NavItem, lazy

from .permissions import ACTIONS
from .walk import EXPECTATIONS

CAPABILITY = Capability(
    label="consultations",
    name=_("Consultations"),
    urls="tequio.consultations.urls",
    api_router="tequio.consultations.api:router",
    nav=(NavItem("consultations:consultation_list", _("Consultations"), "consultations.view"),),
    actions=ACTIONS,
    home_panel=lazy("tequio.consultations.selectors:home_panel"),
    home_template="consultations/partials/_home_panel.html",
    export=lazy("tequio.consultations.exchange:export_community"),
    import_=lazy("tequio.consultations.exchange:import_community"),
    demo_seed=lazy("tequio.consultations.demo:demo_seed"),
    bench_generate=lazy("tequio.consultations.bench:bench_generate"),
    bench_pages=lazy("tequio.consultations.bench:bench_pages"),
    url_expectations=EXPECTATIONS,
    url_walk_objects=lazy("tequio.consultations.walk:url_walk_objects"),
)
