"""The real server and Debian's Chromium, for the end-to-end tests of the pages.

One ``argmap serve`` (granian, a free port on 127.0.0.1, a temporary database loaded with the
seed map) and one headless Chromium serve the whole session. Playwright drives the browser
Debian installs (``make setup`` installs ``chromium``); it never downloads one of its own.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import reaper

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "peace-plan.yaml"
CHROMIUM = Path("/usr/bin/chromium")
NO_CHROMIUM = "Debian's chromium is not installed (make setup, or apt-get install chromium chromium-driver)"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> str:
    """The base URL of a running ``argmap serve`` with the seed map loaded."""
    yield from _serve(tmp_path_factory)


READ_TOKEN, WRITE_TOKEN = "newsroom-" + "r3ad" * 6, "desk-" + "wr1te" * 6


@pytest.fixture(scope="session")
def guarded_server(tmp_path_factory) -> str:
    """The same, with ``ARGMAP_READ_TOKEN`` and ``ARGMAP_TOKEN`` set (:data:`READ_TOKEN`, :data:`WRITE_TOKEN`)."""
    yield from _serve(tmp_path_factory, ARGMAP_READ_TOKEN=READ_TOKEN, ARGMAP_TOKEN=WRITE_TOKEN)


def _serve(tmp_path_factory, **settings):
    if not CHROMIUM.exists():
        pytest.skip(NO_CHROMIUM)
    db = tmp_path_factory.mktemp("serve") / "argmap.duckdb"
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("ARGMAP_TOKEN", "ARGMAP_READ_TOKEN", "ARGMAP_DB")}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env.update(settings)
    log = open(db.with_suffix(".log"), "w+")
    proc = reaper.watch(subprocess.Popen(
        [sys.executable, "-c", "from argmap.cli import main; main()", "--db", str(db), "serve",
         "--host", "127.0.0.1", "--port", str(port), "--load", str(SEED)],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    ))
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(base + "/ui/sign-in", timeout=2).read()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    pytest.fail(f"argmap serve did not start:\n{log.read()}")
                time.sleep(0.2)
        yield base
    finally:
        # Our own process group (start_new_session): granian and its worker.
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        reaper.unwatch(proc)
        log.close()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.skip(NO_CHROMIUM)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


class Watched:
    """A page with what went wrong in it: console errors, uncaught exceptions, dialogs."""

    def __init__(self, page):
        self.page = page
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))

        def dialog(d):
            self.dialogs.append(f"{d.type}: {d.message}")
            d.dismiss()

        page.on("dialog", dialog)


@pytest.fixture
def open_page(browser):
    """``open_page(width, height)``: a fresh :class:`Watched` page of that size, closed after the test."""
    contexts = []

    def make(width: int = 1366, height: int = 768) -> Watched:
        contexts.append(context := browser.new_context(viewport={"width": width, "height": height}))
        w = Watched(context.new_page())
        w.page.set_default_timeout(10_000)
        return w

    yield make
    for c in contexts:
        c.close()


@pytest.fixture
def watched(open_page) -> Watched:
    """A page at 1366 x 768 (a classroom projector's or a laptop's size)."""
    return open_page()
