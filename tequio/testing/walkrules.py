"""The small language capability apps write their URL-walk expectations in.

An app's ``walk.py`` says, for each of its routes, which status each persona gets (see
``tequio.testing.urlwalk`` and docs/permissions.md). Keys read "persona[:METHOD][@privacy]";
the most specific key wins; ``@private`` means listed and hidden communities.
"""

from __future__ import annotations

from tequio.testing.personas import PERSONAS

PRIVACIES = ("public", "listed", "hidden")


def allowed(rule: dict, get: int | str = 200, post: int | str | None = None, **exceptions) -> dict:
    """``rule``'s denials; ``get`` (and ``post``) for everyone allowed; then per-persona
    exceptions written ``persona__METHOD``."""
    rules = {"*": get, **rule}
    if post is not None:
        rules["*:POST"] = post
    rules.update({key.replace("__", ":"): value for key, value in exceptions.items()})
    return rules


def post_only(rule: dict, post: int | str, **exceptions) -> dict:
    """A ``require_POST`` view: 405 to a GET from anyone, before any other check."""
    return {**allowed(rule, post=post, **exceptions), **{f"{persona}:GET": 405 for persona in PERSONAS}}


def signed_in(rule: dict, ok: int, **exceptions) -> dict:
    """An API operation that needs credentials: 401 without them, whatever the privacy."""
    return {**allowed(rule, ok, **exceptions), "anonymous@private": 401, "anonymous@public": 401}


def _privacies(text: str) -> tuple[str, ...]:
    if text == "*":
        return PRIVACIES
    if text == "private":
        return ("listed", "hidden")
    return tuple(text.split(","))


def _resolve(rules: dict, persona: str, method: str, privacy: str):
    best = None
    for key, status in rules.items():
        rest, _sep, where = key.partition("@")
        name, _sep, verb = rest.partition(":")
        if name not in ("*", persona) or verb.upper() not in ("", method) or privacy not in _privacies(where or "*"):
            continue
        score = (name != "*") * 4 + bool(verb) * 2 + bool(where)
        if best is None or score > best[0]:
            best = (score, status)
    if best is None:
        raise ValueError(f"no status for {persona} {method} {privacy}")
    return best[1]


def api_operation(**by_method: dict) -> dict:
    """One API path's rules for several methods, spelled out per persona, method and
    privacy (an API path is one key of ``url_expectations``); other methods: 405."""
    rules: dict = {"*": 405}
    for method, method_rules in by_method.items():
        for persona in PERSONAS:
            for privacy in PRIVACIES:
                rules[f"{persona}:{method}@{privacy}"] = _resolve(method_rules, persona, method, privacy)
    return rules
