"""The main pages render cleanly on a phone and a desktop.

Set TEQUIO_SCREENSHOTS=1 (scripts/screenshot.py does) to also save a screenshot of
each page into browser_tests/artifacts/screens/ and refresh the README's screenshot.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from tequio.testing.personas import PASSWORD

from .conftest import DESKTOP, PHONE, SCREENSHOTS, check_page, save_screen, sign_in, watch_errors

pytestmark = pytest.mark.browser

README_VIEWPORT = {"width": 1100, "height": 820}
README_SCREENSHOT = Path(__file__).resolve().parent.parent / "docs" / "screenshots" / "community-home.png"


def _main_pages(community) -> dict[str, str]:
    organization = community.organizations.order_by("pk").first()
    person = community.people.filter(affiliations__isnull=False).order_by("pk").first()
    slug = community.slug
    return {
        "home": reverse("core:home"),
        "community-home": reverse("core:community_home", args=[slug]),
        "goals": reverse("core:goals", args=[slug]),
        "organizations": reverse("core:organizations", args=[slug]),
        "organization": reverse("core:organization_detail", args=[slug, organization.pk]),
        "people": reverse("core:people", args=[slug]),
        "person": reverse("core:person_detail", args=[slug, person.pk]),
        "charter": reverse("core:charter", args=[slug]),
        "members": reverse("core:members", args=[slug]),
        "invitations": reverse("core:invitations", args=[slug]),
    }


def test_the_main_pages_load_cleanly_and_fit_a_phone(rich_community, new_page):
    pages = _main_pages(rich_community)
    problems = []
    for viewport_name, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        page = new_page(viewport=viewport)
        errors = watch_errors(page)
        page.goto(reverse("account_login"))
        check_page(page, f"sign-in/{viewport_name}", errors, problems, viewport)
        save_screen(page, f"sign-in-{viewport_name}")
        sign_in(page, "ana.convener@example.org", PASSWORD)
        for name, path in pages.items():
            page.goto(path)
            check_page(page, f"{name}/{viewport_name}", errors, problems, viewport)
            save_screen(page, f"{name}-{viewport_name}")
            if SCREENSHOTS and name == "community-home" and viewport_name == "desktop":
                # A laptop-sized window keeps the README's picture readable and under 150 KB.
                page.set_viewport_size(README_VIEWPORT)
                README_SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=README_SCREENSHOT, full_page=False)
                page.set_viewport_size(viewport)
    assert not problems, "\n".join(problems)
