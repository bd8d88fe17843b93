"""Refresh the README's screenshot and a phone/desktop screenshot of each main page.

Usage: .venv/bin/python scripts/screenshot.py
Writes docs/screenshots/community-home.png (commit it when the look changes) and
browser_tests/artifacts/screens/*.png (not committed: for looking at the layout): the
main pages, from the fictional community built by browser_tests.conftest.build_rich_community,
and the consultation pages, from the demo's consultation.
"""

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

if __name__ == "__main__":
    os.chdir(ROOT)
    os.environ["TEQUIO_SCREENSHOTS"] = "1"
    sys.exit(pytest.main(["-p", "no:cacheprovider", "browser_tests/test_pages.py",
                          "browser_tests/test_consultations_journeys.py::test_the_consultation_pages_load_cleanly_and_fit_a_phone"]))
