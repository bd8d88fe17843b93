"""The parameters of a network snapshot, in one canonical spelling.

Two requests that mean the same map (filters in another order, a repeated value) must
find the same cached snapshot, so parameters are normalized here and turned into the
snapshot's key.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any


def _clean(values) -> tuple[str, ...]:
    return tuple(sorted({str(value) for value in values or () if str(value)}))


@dataclass(frozen=True)
class NetworkParams:
    """The map at a date (None: today), filtered by tie type, kind, theme and confirmation."""

    at: date | None = None
    types: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    confirmed_only: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "types", _clean(self.types))
        object.__setattr__(self, "kinds", _clean(self.kinds))
        object.__setattr__(self, "themes", _clean(self.themes))

    @property
    def is_default(self) -> bool:
        return self == NetworkParams()

    def key(self) -> str:
        return ";".join([
            f"at={self.at.isoformat() if self.at else ''}",
            f"types={','.join(self.types)}",
            f"kinds={','.join(self.kinds)}",
            f"themes={','.join(self.themes)}",
            f"confirmed={int(self.confirmed_only)}",
        ])

    def as_json(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat() if self.at else None,
            "types": list(self.types),
            "kinds": list(self.kinds),
            "themes": list(self.themes),
            "confirmed_only": self.confirmed_only,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> NetworkParams:
        at = data.get("at")
        return cls(
            at=date.fromisoformat(at) if at else None,
            types=tuple(data.get("types") or ()),
            kinds=tuple(data.get("kinds") or ()),
            themes=tuple(data.get("themes") or ()),
            confirmed_only=bool(data.get("confirmed_only")),
        )

    def query(self) -> list[tuple[str, str]]:
        """The parameters as GET pairs for links to the same map."""
        pairs: list[tuple[str, str]] = []
        if self.at:
            pairs.append(("at", self.at.isoformat()))
        pairs += [("type", value) for value in self.types]
        pairs += [("kind", value) for value in self.kinds]
        pairs += [("theme", value) for value in self.themes]
        if self.confirmed_only:
            pairs.append(("confirmed", "1"))
        return pairs
