"""Headless Chromium against a live Tequio server.

Debian's Chromium is driven by Playwright for Python; Playwright's own browser
downloads are never used. When a test fails, every page it opened is saved as a
screenshot and HTML into browser_tests/artifacts/ so the failure can be read later.
"""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("TEQUIO_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
# Short enough that a broken journey fails in seconds, long enough for a loaded CI runner.
TIMEOUT_MS = 15_000

_reports = pytest.StashKey[dict]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    item.stash.setdefault(_reports, {})[report.when] = report
    return report


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        reason = f"Chromium not found at {CHROMIUM}; install it with scripts/system-deps.sh"
        if os.environ.get("CI", "").lower() not in {"", "0", "false", "no"}:
            pytest.fail(reason + " (CI must run the browser journeys)")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread, so Django
    # would refuse the ORM calls the tests make between page actions. The override
    # lives only as long as Playwright does, so other test files keep the check.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def new_page(request, browser, live_server):
    """Open a page in a fresh browser context (its own cookies: a separate person)."""
    contexts = []

    def open_page(*, locale: str = "en-US", viewport: dict | None = None, storage_state=None):
        context = browser.new_context(base_url=live_server.url, locale=locale, viewport=viewport or DESKTOP,
                                      storage_state=storage_state)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_page

    reports = request.node.stash.get(_reports, {})
    failed = any(report.failed for report in reports.values())
    for number, context in enumerate(contexts):
        for page_number, page in enumerate(context.pages):
            if failed:
                _save_artifacts(request.node.name, f"{number}-{page_number}", page)
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


def _save_artifacts(test_name: str, suffix: str, page) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    stem = ARTIFACTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', test_name)}-{suffix}"
    try:
        page.screenshot(path=f"{stem}.png", full_page=True)
        Path(f"{stem}.html").write_text(f"<!-- {page.url} -->\n{page.content()}", encoding="utf-8")
    except Exception as error:  # a crashed page must not hide the test's own failure
        Path(f"{stem}.txt").write_text(f"{page.url}\n{error!r}\n", encoding="utf-8")


SCREENSHOTS = bool(os.environ.get("TEQUIO_SCREENSHOTS"))


def watch_errors(page) -> list[str]:
    """The page's console errors and failed responses (status >= 400), as they happen.

    A console error is most often a Content-Security-Policy refusal or a missing file.
    """
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("response", lambda response: response.status >= 400 and errors.append(f"{response.status} {response.url}"))
    return errors


def check_page(page, label: str, errors: list[str], problems: list[str], viewport: dict) -> None:
    """After a navigation: no error since the last check, no sideways scrolling, one h1."""
    page.wait_for_load_state("load")
    problems.extend(f"{label}: {error}" for error in errors)
    errors.clear()
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    if scroll_width > viewport["width"]:
        problems.append(f"{label}: {scroll_width}px wide on a {viewport['width']}px screen")
    if page.locator("h1").count() != 1:
        problems.append(f"{label}: {page.locator('h1').count()} top-level headings")


def save_screen(page, name: str) -> None:
    """With TEQUIO_SCREENSHOTS=1, a full-page screenshot into artifacts/screens/NAME.png."""
    if SCREENSHOTS:
        (ARTIFACTS / "screens").mkdir(parents=True, exist_ok=True)
        page.screenshot(path=ARTIFACTS / "screens" / f"{name}.png", full_page=True)


def sign_in(page, email: str, password: str) -> None:
    """Sign in through allauth's own page, as a person would."""
    page.goto("/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: "/accounts/login" not in url)


def invitation_path(outbox, email: str) -> str:
    """The invitation link mailed to email, as a path on the live server."""
    messages = [message for message in outbox if email in message.to]
    assert messages, f"no mail to {email} in {[m.to for m in outbox]}"
    match = re.search(r"/invite/[^/\s]+/", messages[-1].body)
    assert match, messages[-1].body
    return match.group(0)


@pytest.fixture
def rich_community(transactional_db):
    """A public community with the content a year of work leaves behind."""
    return build_rich_community()


def build_rich_community():
    from tequio.core import choices, services
    from tequio.testing.personas import make_user

    convener = make_user("ana.convener@example.org")
    community = services.community_create(
        actor=convener,
        name="Red Noroeste de Prevención de la Violencia",
        slug="red-noroeste",
        purpose=(
            "Una comunidad de aprendizaje de **organizaciones de la sociedad civil** de Sonora, "
            "Baja California y Coahuila que trabajan en la prevención de la violencia con jóvenes.\n\n"
            "Nos reunimos cada trimestre para compartir prácticas, medir nuestras redes y "
            "construir una agenda común con las comunidades que acompañamos."
        ),
        languages=["es", "en"],
        stage=choices.Stage.ACTION,
        privacy=choices.Privacy.PUBLIC,
        convener_organization_name="Fundación Puentes del Desierto, A.C.",
    )
    goals = [
        ("Mapear las organizaciones que trabajan con jóvenes en la región", choices.Horizon.SHORT, choices.GoalStatus.ACHIEVED),
        ("Acordar una carta de la comunidad con liderazgo rotativo", choices.Horizon.SHORT, choices.GoalStatus.ACTIVE),
        ("Realizar tres convenciones regionales (Tijuana, Hermosillo, Saltillo)", choices.Horizon.MEDIUM, choices.GoalStatus.ACTIVE),
        ("Diseñar un protocolo común de atención a víctimas", choices.Horizon.MEDIUM, choices.GoalStatus.ACTIVE),
        ("Incidir en la política estatal de prevención con una agenda compartida", choices.Horizon.LONG, choices.GoalStatus.ACTIVE),
        ("Que la comunidad se sostenga y sea dirigida por sus integrantes", choices.Horizon.LONG, choices.GoalStatus.ACTIVE),
    ]
    for title, horizon, status in goals:
        services.goal_create(actor=convener, community=community, title=title, horizon=horizon, status=status,
                             description="Responsables: grupo de pares de coordinación.")
    kinds = ["cso", "cso", "cso", "iso", "community_group", "academia", "government", "network", "donor", "cso"]
    states = ["SON", "BCN", "COA", "SON", "BCN", "COA", "CMX", "SON", "CMX", "BCN"]
    themes = ["violence_prevention", "human_rights", "children_rights", "mediation", "gender", "migration"]
    organizations = [
        services.organization_create(
            actor=convener, community=community, name=f"{prefix} {place}", kind=kinds[i % len(kinds)],
            state=states[i % len(states)], thematic_areas=[themes[i % len(themes)], themes[(i + 2) % len(themes)]],
            description="Acompaña a jóvenes y familias en colonias con alta incidencia de violencia.",
        )
        for i, (prefix, place) in enumerate(
            (prefix, place)
            for prefix in ("Colectivo Jóvenes de", "Centro Comunitario", "Observatorio Ciudadano de", "Red de Mujeres de")
            for place in ("Tijuana", "Hermosillo", "Saltillo", "Mexicali", "Nogales", "Torreón")
        )
    ]
    levels = list(choices.StaffLevel.values)
    first = ["María", "José", "Guadalupe", "Juan", "Fernanda", "Luis", "Rosa", "Carlos", "Itzel", "Miguel"]
    last = ["Hernández", "García", "Martínez", "López", "Ramírez", "Flores", "Cruz", "Morales"]
    for i in range(40):
        services.person_create(
            actor=convener, community=community, display_name=f"{first[i % len(first)]} {last[(i * 3) % len(last)]}",
            languages=["es"], affiliations=[{
                "organization": organizations[i % len(organizations)], "position": "Coordinación de proyectos",
                "staff_level": levels[i % len(levels)],
            }],
        )
    for role in ("steward", "member", "member", "member", "ally", "observer"):
        email = f"{role}{community.memberships.count()}@example.org"
        user = make_user(email)
        _invitation, token = services.invitation_create(actor=convener, community=community, email=email, role=role,
                                                        organization=organizations[len(email) % len(organizations)])
        services.invitation_accept(user=user, token=token)
    services.charter_adopt(
        actor=convener, community=community,
        roles_responsibilities="- **Convocante**: facilita y cuida el proceso.\n- **Integrantes**: comparten prácticas y datos.",
        leadership_model=choices.LeadershipModel.ROTATING, rotation_period_months=6,
        decision_rule=choices.DecisionRule.CONSENT, rules_of_engagement="Confidencialidad y respeto.",
        accountability="Informe semestral a la asamblea.", participation_scheme="Reuniones trimestrales.",
        expected_effort="4 horas al mes", adopted_on=date(2019, 3, 14), adopted_how="Asamblea en Hermosillo",
        review_period_months=12,
    )
    services.peer_group_create(actor=convener, community=community, name="Coordinación", basis=choices.PeerGroupBasis.ROLE)
    return community
