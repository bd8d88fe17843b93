"""How the network capability plugs into core (see ``tequio.core.registry``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tequio.core.registry import Capability, NavItem

from .permissions import ACTIONS
from .walk import EXPECTATIONS


def _home_panel(access):
    from .selectors import home_panel

    return home_panel(access)


def _export(community):
    from .exchange import export_community

    return export_community(community)


def _import(data, community, id_maps):
    from .exchange import import_community

    return import_community(data, community, id_maps)


def _demo_seed(*args, **kwargs):
    from .demo import demo_seed

    return demo_seed(*args, **kwargs)


def _bench_generate(*args, **kwargs):
    from .bench import bench_generate

    return bench_generate(*args, **kwargs)


def _bench_pages(*args, **kwargs):
    from .bench import bench_pages

    return bench_pages(*args, **kwargs)


def _url_walk_objects(**kwargs):
    from .walk import url_walk_objects

    return url_walk_objects(**kwargs)


CAPABILITY = Capability(
    label="network",
    name=_("Network"),
    urls="tequio.network.urls",
    api_router="tequio.network.api:router",
    nav=(NavItem("network:map", _("Network"), "network.view"),),
    actions=ACTIONS,
    home_panel=_home_panel,
    home_template="network/partials/_home_panel.html",
    export=_export,
    import_=_import,
    demo_seed=_demo_seed,
    bench_generate=_bench_generate,
    bench_pages=_bench_pages,
    url_expectations=EXPECTATIONS,
    url_walk_objects=_url_walk_objects,
)
