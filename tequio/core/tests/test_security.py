"""Security headers, the Content Security Policy, deployment checks and the markdown sanitizer."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from tequio.core import choices, services
from tequio.core.markdown import render_markdown
from tequio.testing import urlwalk

ROOT = Path(__file__).resolve().parents[3]


def csp_directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {parts[0]: parts[1:] for parts in (item.split() for item in header.split(";") if item.strip())}


class InlineCode(HTMLParser):
    """Collects what a strict CSP would block: inline scripts, handlers, javascript: URLs, inline styles."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script":
            self._in_script = "src" not in attributes
            if attributes.get("type") in ("application/json", "application/ld+json"):
                self._in_script = False  # data, not code
        if tag == "style":
            self.found.append("<style> element")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag} {name}=")
            if name == "style":
                self.found.append(f"{tag} style=")
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"{tag} {name}=javascript:")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.found.append(f"inline <script>: {data.strip()[:60]}")


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    return parser.found


# --- headers ---------------------------------------------------------------------

def test_the_content_security_policy_allows_scripts_from_our_origin_only(cast):
    response = Client().get("/")
    directives = csp_directives(response)
    assert directives["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in directives.get("style-src", [])
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]


def test_every_page_sends_the_protective_headers(cast):
    client = Client()
    client.force_login(cast.users["member"])
    for path in ("/", reverse("core:community_home", args=[cast.community.slug]), reverse("account_login"), "/api/v1/communities"):
        response = client.get(path)
        assert response["X-Frame-Options"] == "DENY", path
        assert response["X-Content-Type-Options"] == "nosniff", path
        assert response["Referrer-Policy"] == "same-origin", path
        assert response["Cross-Origin-Opener-Policy"] == "same-origin", path
        assert "camera=()" in response["Permissions-Policy"], path
        assert "Content-Security-Policy" in response, path


def test_signed_in_pages_are_never_stored_by_shared_caches(cast):
    client = Client()
    client.force_login(cast.users["member"])
    assert "no-store" in client.get(reverse("core:community_home", args=[cast.community.slug]))["Cache-Control"]


def _tequio_page(route) -> bool:
    """Core's pages and those rendered in Tequio's layout (accounts, languages)."""
    return route.key.startswith("core:") or ":" not in route.key


def test_no_page_of_tequio_carries_inline_script_or_style(db):
    # A public community shows every page to someone: anonymous readers, allies, the
    # convener's management pages, the administrator. POST renders forms with errors.
    world = urlwalk.build_world(choices.Privacy.PUBLIC)
    services.community_update(actor=world.cast.users["convener"], community=world.cast.community,
                              purpose="**Aprender** juntas <script>alert(1)</script> [x](javascript:alert(1))")
    walker = urlwalk.Walker(world)
    personas = ("anonymous", "ally", "convener", "admin")
    outcomes = urlwalk.walk_pages(world, community=True, personas=personas, walker=walker, include=_tequio_page)
    outcomes += urlwalk.walk_pages(world, community=False, personas=personas, walker=walker, include=_tequio_page)
    pages = [outcome for outcome in outcomes if outcome.status == 200 and "text/html" in outcome.content_type]
    assert len({outcome.key for outcome in pages}) > 40
    problems = {
        f"{outcome.method} {outcome.path} as {outcome.persona}: {found}"
        for outcome in pages
        for found in inline_code(outcome.content.decode())
    }
    assert not problems, "\n".join(sorted(problems))


def test_the_inline_code_scanner_finds_what_csp_would_block():
    html = ('<script>alert(1)</script><script src="/static/x.js"></script><a href="javascript:x()">a</a>'
            '<img src="x.png" onerror="x()"><p style="color:red">p</p><script type="application/json">{}</script>')
    assert sorted(inline_code(html)) == sorted(
        ["inline <script>: alert(1)", "a href=javascript:", "img onerror=", "p style="]
    )


def test_writes_with_a_session_need_the_csrf_token_and_scripts_use_a_bearer_token(cast):
    goals_page = reverse("core:goals", args=[cast.community.slug])
    goals_api = f"/api/v1/communities/{cast.community.slug}/goals"
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(cast.users["steward"])
    assert browser.post(goals_page, {"title": "Sin token", "horizon": "short", "status": "active"}).status_code == 403
    refused = browser.post(goals_api, {"title": "Sin token"}, content_type="application/json")
    assert refused.status_code == 403 and set(refused.json()) == {"message", "fields"}
    _token, secret = services.api_token_create(actor=cast.users["steward"], name="script")
    script = Client(enforce_csrf_checks=True)
    created = script.post(goals_api, {"title": "Con token"}, content_type="application/json",
                          HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert created.status_code == 201
    assert [goal.title for goal in cast.community.goals.all()] == ["Con token"]


# --- deployment ------------------------------------------------------------------

def _check_deploy(**overrides) -> subprocess.CompletedProcess:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", str(ROOT)),
        "TEQUIO_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "tequio.example.org",
        "SITE_URL": "https://tequio.example.org",
        # Only the settings are checked: nothing connects to this database.
        "DATABASE_URL": "postgres://tequio:secret@db.example.org:5432/tequio",
        **overrides,
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )


def test_production_settings_pass_the_deployment_checks(tmp_path):
    result = _check_deploy(TEQUIO_DATA_DIR=str(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_deployment_checks_refuse_the_development_key(tmp_path):
    from tequio.settings import DEV_SECRET_KEY

    result = _check_deploy(TEQUIO_DATA_DIR=str(tmp_path), SECRET_KEY=DEV_SECRET_KEY)
    assert result.returncode != 0
    assert "tequio.E001" in result.stderr + result.stdout


# --- markdown --------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "<script>alert(1)</script>",
    "Hola <img src=x onerror=alert(1)>",
    "[pulsa](javascript:alert(1))",
    "[pulsa](JaVaScRiPt:alert(1))",
    "<a href=\"javascript:alert(1)\">pulsa</a>",
    "![x](javascript:alert(1))",
    "<iframe src=\"https://evil.example\"></iframe>",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
])
def test_markdown_drops_scripts_handlers_and_dangerous_links(text):
    html = render_markdown(text).lower()
    # Raw HTML may survive only as escaped, visible text.
    assert "<script" not in html and "<img" not in html and "<iframe" not in html
    assert '<a href="javascript:' not in html and '<a href="data:' not in html
    assert not inline_code(render_markdown(text))


def test_markdown_keeps_ordinary_formatting_and_safe_links():
    html = render_markdown("## Metas\n\n**Confianza** y [sitio](https://example.org)\n\n- una\n- dos")
    assert "<h2>Metas</h2>" in html
    assert "<strong>Confianza</strong>" in html
    assert '<a href="https://example.org" rel="noopener noreferrer nofollow">sitio</a>' in html
    assert "<li>una</li>" in html


def test_a_purpose_with_a_script_is_shown_as_harmless_text(cast):
    services.community_update(actor=cast.users["convener"], community=cast.community,
                              purpose='Hola <script>alert("x")</script> <img src=x onerror=alert(1)>')
    client = Client()
    client.force_login(cast.users["member"])
    page = client.get(reverse("core:community_home", args=[cast.community.slug])).text
    assert '<script>alert("x")</script>' not in page
    assert "<img src=x onerror" not in page
    assert "&lt;script&gt;" in page
