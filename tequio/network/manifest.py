"""How the network capability plugs into core (see ``tequio.core.registry``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tequio.core.registry import Capability, NavItem, lazy

from .permissions import ACTIONS
from .walk import EXPECTATIONS

CAPABILITY = Capability(
    label="network",
    name=_("Network"),
    urls="tequio.network.urls",
    api_router="tequio.network.api:router",
    nav=(NavItem("network:map", _("Network"), "network.view"),),
    actions=ACTIONS,
    home_panel=lazy("tequio.network.selectors:home_panel"),
    home_template="network/partials/_home_panel.html",
    export=lazy("tequio.network.exchange:export_community"),
    import_=lazy("tequio.network.exchange:import_community"),
    demo_seed=lazy("tequio.network.demo:demo_seed"),
    bench_generate=lazy("tequio.network.bench:bench_generate"),
    bench_pages=lazy("tequio.network.bench:bench_pages"),
    url_expectations=EXPECTATIONS,
    url_walk_objects=lazy("tequio.network.walk:url_walk_objects"),
)
