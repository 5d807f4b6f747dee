"""Browser fixtures (a pytest plugin, loaded by tests/conftest.py).

Browser tests (``@pytest.mark.browser``) drive the system's headless Chromium
(``/usr/bin/chromium``, installed by CI) through Playwright; Playwright's own browser
download is never used. Use the ``offline_page`` fixture: it gives a fresh context/page whose
every request is checked, so a test can assert that a page stays on the machine and logs no
errors.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

CHROMIUM = Path(os.environ.get("PAPERKG_CHROMIUM", "/usr/bin/chromium"))
# Flags that work headless as root on this kind of machine (see the field notes). Playwright adds
# --headless itself and starts every launch with a fresh temporary --user-data-dir.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_SCHEMES = frozenset({"file", "data", "blob", "about"})


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """A headless Chromium ``playwright.sync_api.Browser``, shared by the session."""
    if not CHROMIUM.exists():
        reason = f"headless Chromium not installed at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI"):  # CI installs it; a skip there would hide a broken setup
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class OfflinePage:
    """A page plus everything it tried: requests, blocked requests, console and page errors."""

    page: Any
    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        """No request left the machine and nothing was logged as an error."""
        assert self.blocked == [], f"requests to non-local schemes: {self.blocked}"
        nonlocal_ = [u for u in self.requests if urlsplit(u).scheme not in LOCAL_SCHEMES]
        assert nonlocal_ == [], f"non-local requests: {nonlocal_}"
        assert self.console_errors == [], f"console errors: {self.console_errors}"
        assert self.page_errors == [], f"page errors: {self.page_errors}"


@pytest.fixture
def offline_page(chromium: Any) -> Iterator[OfflinePage]:
    """A fresh page whose requests are all routed: anything but file:/data:/blob:/about: is
    aborted and recorded (``OfflinePage.blocked``), as are websockets."""
    context = chromium.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    state = OfflinePage(page)

    def route(route: Any) -> None:
        url = route.request.url
        if urlsplit(url).scheme in LOCAL_SCHEMES:
            route.continue_()
        else:
            state.blocked.append(url)
            route.abort()

    context.route("**/*", route)
    page.on("request", lambda request: state.requests.append(request.url))
    page.on("websocket", lambda ws: state.blocked.append(ws.url))
    page.on(
        "console",
        lambda msg: state.console_errors.append(msg.text) if msg.type == "error" else None,
    )
    page.on("pageerror", lambda exc: state.page_errors.append(str(exc)))
    try:
        yield state
    finally:
        context.close()
