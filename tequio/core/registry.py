"""The capability registry: how apps (convenings, network, ...) plug into core.

Each capability app has a ``manifest.py`` that defines ``CAPABILITY`` (a
``Capability``). Core reads them when Django starts (``CoreConfig.ready``) and
uses them for navigation, home-page panels, permission actions, API routers,
exports, demo seeds, benchmarks and the URL-walk test. Only what is registered
exists: the home page shows panels of installed apps only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

from .permissions import Action, register_actions


@dataclass(frozen=True)
class NavItem:
    url_name: str  # reversed with the community slug
    label: Any  # lazy translation
    action: str  # permission action needed to see it


@dataclass(frozen=True)
class Capability:
    label: str  # the Django app label
    name: Any  # lazy translation
    urls: str | None = None  # module with ``urlpatterns``, mounted under /c/<slug>/
    api_router: str | None = None  # "module:router" for /api/v1/
    nav: tuple[NavItem, ...] = ()
    actions: dict[str, Action] = field(default_factory=dict)
    # (access) -> dict | None: context for the app's home-page panel, or None for no panel.
    home_panel: Callable[[Any], dict | None] | None = None
    home_template: str | None = None
    # (community) -> dict[str, list[dict]]: rows for the full community export.
    export: Callable[[Any], dict] | None = None
    # (community_export_dict, community, id_maps) -> None
    import_: Callable[..., None] | None = None
    demo_seed: Callable[..., None] | None = None
    bench_generate: Callable[..., None] | None = None
    bench_pages: Callable[..., list] | None = None
    # URL name or API path -> {"persona[:METHOD][@privacy]": status}, merged into the URL
    # walk's expectations (see tequio.testing.urlwalk and docs/permissions.md).
    url_expectations: dict[str, dict[str, int | str]] = field(default_factory=dict)
    # (community=, actor=) -> {entity: object or str}: one of each thing the app's URLs
    # point at, so the URL walk can fill their ids ("convening" for <int:pk> after
    # "convenings/" or for <int:convening_pk>); "<url name>.<kwarg>" gives a raw value.
    url_walk_objects: Callable[..., dict[str, Any]] | None = None


def lazy(path: str) -> Callable[..., Any]:
    """A hook given as ``"module:function"``, imported on its first call.

    Manifests are read while Django starts, before models can be imported; a hook's
    module (selectors, demo, bench) imports models, so it is named here and imported
    when the hook first runs.
    """
    module_name, _colon, attribute = path.partition(":")
    target: list[Callable[..., Any]] = []

    def hook(*args, **kwargs):
        if not target:
            target.append(getattr(import_module(module_name), attribute))
        return target[0](*args, **kwargs)

    hook.__qualname__ = hook.__name__ = f"lazy({path})"
    return hook


_capabilities: dict[str, Capability] = {}


def load(app_labels_and_modules: list[tuple[str, str]]) -> None:
    """Import each installed app's manifest, if it has one."""
    for label, module in app_labels_and_modules:
        try:
            manifest = import_module(f"{module}.manifest")
        except ModuleNotFoundError as error:
            if error.name == f"{module}.manifest":
                continue
            raise
        capability: Capability = manifest.CAPABILITY
        register_actions(capability.actions)
        _capabilities[label] = capability


def capabilities() -> list[Capability]:
    return list(_capabilities.values())


def get(label: str) -> Capability | None:
    return _capabilities.get(label)
