"""Headless Chromium for browser tests, shared by the map and report tests.

Uses Debian's ``chromium`` through Playwright's Python package (never a
downloaded browser). Without Chromium or Playwright the tests are skipped,
except when the environment says ``CI=true``: there they must run, so they fail.

Usage in a test module::

    from browser_support import browser, open_page  # noqa: F401  (fixtures)
    pytestmark = pytest.mark.browser

    def test_x(open_page, tmp_path):
        page, log = open_page(path_to_html)
        assert log.external_requests == [] and log.console_errors == []
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    """The system Chromium, if installed."""
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"browser tests must run in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium per test module."""
    executable = chromium_path()
    if executable is None:
        _unavailable("chromium is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright Python package is not installed")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


@dataclass
class PageLog:
    """What happened while a page was open."""

    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    @property
    def external_requests(self) -> list[str]:
        """Requests to anything but a local file (data: URLs are inline, not requests)."""
        return [u for u in self.requests if not u.startswith(("file:", "data:"))]


@pytest.fixture
def open_page(browser):
    """Open a local HTML file; returns (page, log). Network access other than file: is aborted."""
    contexts = []

    def opener(path: Path, *, viewport=(1400, 900), wait_for: str | None = None):
        context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
        contexts.append(context)
        log = PageLog()
        context.route(
            "**/*",
            lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort(),
        )
        page = context.new_page()
        page.on("request", lambda request: log.requests.append(request.url))
        page.on("console", lambda msg: log.console_errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: log.page_errors.append(str(exc)))
        page.on("dialog", lambda dialog: (log.dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(Path(path).resolve().as_uri())
        if wait_for:
            page.wait_for_function(wait_for, timeout=15000)
        return page, log

    yield opener
    for context in contexts:
        context.close()
