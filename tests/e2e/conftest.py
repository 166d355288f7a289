"""Fixtures for end-to-end tests: a Voila server over a notebook, and headless Chromium.

- ``voila_server(notebook_path)`` starts ``python -m voila`` on a free port of 127.0.0.1
  in its own process group and returns a :class:`VoilaServer` (``url``, ``stop()``,
  ``log_tail()``); every server a test started is stopped when the test ends, kernels
  included.
- ``browser`` is Debian's ``/usr/bin/chromium`` driven by Playwright (sync API); no
  browser is downloaded. ``page`` is a fresh page whose requests leave 127.0.0.1 only:
  anything else is refused and listed in ``page_blocked`` (Voila's page template links
  Font Awesome from a CDN although its bundle already has it).

- ``gate()`` is a :class:`Gate`: a point where the notebook's kernel (or one of its
  threads) waits until the test lets it go, so that a test can hold the kernel busy while
  the browser goes on, without guessing how long anything takes.

Without Chromium, Playwright or Voila every e2e test is skipped with the reason.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from tests.e2e._lab import LabServer

CHROMIUM = Path(os.environ.get("CRMKIT_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SERVER_START_TIMEOUT = 30.0  # seconds until Voila accepts connections
SERVER_STOP_TIMEOUT = 15.0  # seconds for Voila to shut its kernels down
DEFAULT_TIMEOUT_MS = 45_000  # Playwright actions (a kernel start is 5-20 s on 2 cores)
EXPECT_TIMEOUT_MS = 20_000  # expect(...) assertions: a kernel round trip, on a busy machine


def _missing() -> str | None:
    """Why e2e tests cannot run here, or ``None`` when they can."""
    if not CHROMIUM.exists() and shutil.which("chromium") is None:
        return f"no Chromium at {CHROMIUM} (apt-get install chromium; .ci/run does it)"
    for module, extra in (("playwright", "playwright"), ("voila", "voila")):
        if importlib.util.find_spec(module) is None:
            return f"{extra} is not installed (pip install -e '.[dev]')"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = _missing()
    if reason is None:
        return
    skip = pytest.mark.skip(reason=f"end-to-end tests skipped: {reason}")
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(skip)


# -- Voila ---------------------------------------------------------------------------------


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _children(pid: int) -> list[int]:
    """Direct child processes of ``pid`` (Voila's kernels run in their own sessions)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name may contain spaces; fields after its closing ")" are fixed.
        fields = stat.rsplit(")", 1)[-1].split()
        if len(fields) > 1 and int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")  # a zombie holds no file and no lock


@dataclass
class VoilaServer:
    """A running ``voila`` process serving one notebook (the base of other servers:
    ``program`` names it in messages)."""

    program = "voila"
    notebook: Path
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path
    _log: IO[bytes] = field(repr=False)

    @property
    def url(self) -> str:
        """The page that renders the notebook (open it once: each visit starts a kernel)."""
        return f"http://127.0.0.1:{self.port}/"

    def log_tail(self, lines: int = 40) -> str:
        """The end of Voila's output (its kernels' tracebacks included)."""
        self._log.flush()
        text = self.log_path.read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def wait_until_listening(self, timeout: float = SERVER_START_TIMEOUT) -> None:
        """Return once the port accepts connections; fail with the log otherwise.

        Only the TCP port is probed: fetching the notebook page would start a kernel
        that opens (and locks) the DuckDB file.
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                code = self.process.returncode
                pytest.fail(f"{self.program} exited with {code}:\n{self.log_tail()}")
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=1),
            ):
                return
            time.sleep(0.2)
        pytest.fail(
            f"{self.program} did not listen on port {self.port} in {timeout:.0f} s:\n"
            f"{self.log_tail()}"
        )

    def stop(self) -> None:
        """Stop Voila and its kernels, so that the kernels' DuckDB locks are released.

        SIGTERM lets Voila shut its kernels down cleanly (the CRM's connection is closed
        at kernel exit); whatever is still alive after the timeouts is killed.
        """
        if self.process.poll() is None:
            kernels = _children(self.process.pid)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=SERVER_STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
            deadline = time.monotonic() + SERVER_STOP_TIMEOUT
            while any(_alive(k) for k in kernels) and time.monotonic() < deadline:
                time.sleep(0.2)
            for kernel in kernels:
                if _alive(kernel):
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(kernel, signal.SIGKILL)
        if not self._log.closed:
            self._log.close()


@pytest.fixture
def voila_server(tmp_path: Path) -> Iterator[Callable[[Path], VoilaServer]]:
    """Start Voila over a notebook: ``server = voila_server(notebook_path)``.

    Jupyter's runtime, config and data directories point into ``tmp_path`` so that no
    user configuration (a token, another kernel spec) changes what the test sees; the
    kernel is this interpreter's ``python3``.
    """
    started: list[VoilaServer] = []
    home = tmp_path / "jupyter"
    env = {
        **os.environ,
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_DATA_DIR": str(home / "data"),
        "IPYTHONDIR": str(home / "ipython"),
        "JUPYTER_PLATFORM_DIRS": "1",
    }

    def start(notebook_path: Path) -> VoilaServer:
        port = free_port()
        log_path = tmp_path / f"voila-{port}.log"
        log = log_path.open("wb")
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "voila",
                str(notebook_path),
                "--no-browser",
                f"--port={port}",
                "--Voila.ip=127.0.0.1",
                "--show_tracebacks=True",
            ],
            cwd=notebook_path.parent,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, killed as one
        )
        server = VoilaServer(notebook_path, port, process, log_path, log)
        started.append(server)
        server.wait_until_listening()
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[Callable[[Path], LabServer]]:
    """Start JupyterLab servers on folders (``lab(root)``); all are stopped after the test."""
    from tests.e2e._lab import start_lab  # _lab builds on this module's servers

    started: list[LabServer] = []

    def start(root: Path) -> LabServer:
        server = start_lab(root, tmp_path / "jupyter", free_port())
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def notebook_path(tmp_path: Path) -> Callable[..., Path]:
    """Write a notebook of code cells: ``notebook_path("form.ipynb", code, ...)``."""

    def write(name: str, *cells: str) -> Path:
        return write_notebook(tmp_path / name, *cells)

    return write


def write_notebook(path: Path, *cells: str) -> Path:
    """Write a notebook of code cells (nbformat 4, python3 kernel) and return its path."""
    notebook = {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": None,
                "id": f"cell-{i}",
                "metadata": {},
                "outputs": [],
                "source": source,
            }
            for i, source in enumerate(cells)
        ],
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.write_text(json.dumps(notebook, indent=1), encoding="utf-8")
    return path


# -- gates ---------------------------------------------------------------------------------

GATE_TIMEOUT = 60.0  # seconds for the kernel to reach a gate (it is busy, not stuck)


class Gate:
    """A point where code in the notebook's kernel waits until the test releases it.

    The test listens on a TCP port of 127.0.0.1; ``wait_at_gate(port)`` (defined in the
    notebook by :attr:`definition`) connects and blocks reading until the test closes
    that connection (:meth:`release`). Connecting succeeds as soon as the test listens,
    so the kernel never waits for the test to be ready, and :meth:`release` waits,
    without polling, until the kernel has got there. Closing the gate (at the end of the
    test, passed or not) resets any connection still waiting, which lets the kernel go.

    Attributes
    ----------
    port
        The port ``wait_at_gate`` connects to.
    definition
        Notebook code that defines ``wait_at_gate(port)``.
    """

    definition = (
        "import contextlib, socket\n"
        "def wait_at_gate(port):\n"
        "    # Blocks until the test releases the gate (closes the connection), or is gone.\n"
        "    with contextlib.suppress(OSError):\n"
        "        with socket.create_connection(('127.0.0.1', port)) as connection:\n"
        "            connection.recv(1)\n"
    )

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._listener.getsockname()[1])

    def release(self, timeout: float = GATE_TIMEOUT) -> None:
        """Wait until the kernel is at the gate, then let it go."""
        self._listener.settimeout(timeout)
        try:
            connection, _ = self._listener.accept()
        except TimeoutError:
            pytest.fail(f"nothing reached the gate on port {self.port} in {timeout:.0f} s")
        connection.close()

    def close(self) -> None:
        """Stop listening; a connection still waiting is reset, which lets it go."""
        self._listener.close()


@pytest.fixture
def gate() -> Iterator[Callable[[], Gate]]:
    """Make gates: ``g = gate()``; every gate is closed when the test ends."""
    made: list[Gate] = []

    def make() -> Gate:
        made.append(Gate())
        return made[-1]

    yield make
    for g in made:
        g.close()


# -- Chromium ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Chromium (the system's), shared by the session's e2e tests."""
    from playwright.sync_api import sync_playwright

    executable = CHROMIUM if CHROMIUM.exists() else Path(shutil.which("chromium") or CHROMIUM)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(executable), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page_blocked() -> list[str]:
    """URLs the page tried to fetch outside 127.0.0.1 (and did not get)."""
    return []


@pytest.fixture
def page(browser: Any, page_blocked: list[str]) -> Iterator[Any]:
    """A page that may talk to 127.0.0.1 only, with bounded waits."""
    from playwright.sync_api import expect

    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)

    def local_only(route: Any) -> None:
        url = route.request.url
        if url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")):
            route.continue_()
        else:
            page_blocked.append(url)
            route.abort()

    context.route("**/*", local_only)
    tab = context.new_page()
    try:
        yield tab
    finally:
        context.close()


DOCS_IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"


def _screenshot(page: Any, selector: str, tmp_path: Path, name: str) -> Path:
    """Capture one widget whole (the page is made tall enough), keep it in docs if asked."""
    # Voila scrolls inside its own containers: back to the top, then measure the whole
    # widget so that the viewport can hold it.
    height = page.evaluate(
        """(sel) => {
            for (const el of document.querySelectorAll("*")) { el.scrollTop = 0; }
            window.scrollTo(0, 0);
            const box = document.querySelector(sel).getBoundingClientRect();
            return Math.ceil(box.top + box.height) + 40;
        }""",
        selector,
    )
    page.set_viewport_size({"width": 1280, "height": max(900, int(height))})
    page.mouse.move(0, 0)  # no hover highlight in the picture
    path = tmp_path / name
    page.locator(selector).screenshot(path=str(path), animations="disabled")
    if os.environ.get("CRMKIT_SCREENSHOTS") == "1":
        DOCS_IMAGES.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, DOCS_IMAGES / name)
    return path


@pytest.fixture
def screenshot() -> Callable[..., Path]:
    """``screenshot(page, selector, tmp_path, name)``: one widget as a PNG."""
    return _screenshot
