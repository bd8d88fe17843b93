"""Per-community figures kept in the cache, dropped by the services that change them.

Some figures of a page are aggregates over a community's whole history (the home
page's counts, the share of agenda items members proposed). At national scale they
cost more than the rest of the page, and they change far less often than they are
read. ``community_cached`` keeps such a figure for ``seconds``; the services that
change what it counts call ``community_cache_drop`` in their transaction, which drops
it at once and again on commit (in case a request read the old rows in between and
cached them), so a change shows on the next request. Writes that go round the
services (a restore, the admin) show within ``seconds``.

Cached values are plain data (numbers, dicts of numbers): labels are looked up when
the page is drawn, so one entry serves every language.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.db import transaction

T = TypeVar("T")

DEFAULT_SECONDS = 60


def _key(name: str, community_id: int) -> str:
    return f"tequio:community:{community_id}:{name}"


def community_cached(name: str, community_id: int, compute: Callable[[], T], *, seconds: int = DEFAULT_SECONDS) -> T:
    """The cached value of ``name`` for the community, computed and stored when missing."""
    key = _key(name, community_id)
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, seconds)
    return value


def community_cache_drop(name: str, community_id: int) -> None:
    """Forget ``name`` for the community now and when the current transaction commits."""
    key = _key(name, community_id)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))
