"""The community home page must stay light enough for a phone on a slow connection."""

from __future__ import annotations

import gzip

import pytest

from tequio.testing.personas import PASSWORD

from .conftest import sign_in

pytestmark = pytest.mark.browser

BUDGET_BYTES = 100_000


def test_the_community_home_transfers_under_100_kb_compressed(rich_community, new_page):
    # The convener sees the most: their page is the heaviest version of it.
    signing_in = new_page()
    sign_in(signing_in, "ana.convener@example.org", PASSWORD)
    # A fresh context with only the session cookie: a first visit, nothing cached.
    page = new_page(storage_state=signing_in.context.storage_state())
    responses = []
    page.on("response", lambda response: responses.append(response))
    page.goto(f"/c/{rich_community.slug}/", wait_until="load")
    page.wait_for_load_state("networkidle")

    rows = []
    for response in responses:
        assert response.ok, f"{response.status} {response.url}"
        body = response.body()
        # Level 6 is what Django's GZipMiddleware uses; WhiteNoise's pre-compressed
        # files (gzip 9, brotli) are smaller still, so this is an upper bound.
        rows.append((response.request.resource_type, response.url, len(body), len(gzip.compress(body, 6))))
    kinds = {kind for kind, *_rest in rows}
    assert {"document", "stylesheet", "script"} <= kinds, rows

    total = sum(compressed for *_rest, compressed in rows)
    print(f"\nCommunity home page weight ({len(rows)} resources):")
    for kind, url, raw, compressed in rows:
        print(f"  {kind:<10} {compressed / 1000:6.1f} KB gz {raw / 1000:7.1f} KB raw  {url.split('/', 3)[-1]}")
    print(f"  total      {total / 1000:6.1f} KB compressed (budget {BUDGET_BYTES / 1000:.0f} KB)")
    assert total < BUDGET_BYTES, f"the community home page transfers {total} bytes compressed"
