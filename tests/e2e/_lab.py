"""A JupyterLab server for end-to-end tests: real JupyterLab, one notebook, run all cells.

JupyterLab is where analysts read crmkit's outputs, so the HTML of reports and tables is
checked (and photographed for the docs) there, not only in Voila. The server listens on
127.0.0.1 with no token, its Jupyter directories point into the test's temporary folder
(no user configuration changes what the test sees), and ``expose_app_in_browser`` lets
the test run JupyterLab's own commands ("run all cells") instead of clicking menus.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.e2e.conftest import VoilaServer, write_notebook

LAB_START_TIMEOUT = 60.0  # seconds until JupyterLab accepts connections (2 busy cores)
RUN_ALL_TIMEOUT_MS = 180_000  # every cell of an outputs notebook, kernel start included


class LabServer(VoilaServer):
    """A running ``jupyter lab`` process over one folder (``notebook`` is that folder);
    waiting for it and stopping it (kernels included) work as for Voila."""

    program = "jupyter lab"

    def lab_url(self, notebook: str) -> str:
        """The page that opens ``notebook`` (a name inside the served folder)."""
        return f"http://127.0.0.1:{self.port}/lab/tree/{notebook}"


def start_lab(root: Path, home: Path, port: int) -> LabServer:
    """Start JupyterLab over ``root``; its settings and runtime files go under ``home``."""
    env = {
        **os.environ,
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_DATA_DIR": str(home / "data"),
        "JUPYTERLAB_SETTINGS_DIR": str(home / "lab-settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "lab-workspaces"),
        "IPYTHONDIR": str(home / "ipython"),
        "JUPYTER_PLATFORM_DIRS": "1",
    }
    # No announcements, no news fetched from the internet, no "build recommended" prompts.
    settings = home / "lab-settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True, exist_ok=True)
    (settings / "notification.jupyterlab-settings").write_text(
        '{"fetchNews": "false", "checkForUpdates": false}'
    )
    log_path = home / f"lab-{port}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = log_path.open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            f"--port={port}",
            "--ServerApp.ip=127.0.0.1",
            "--IdentityProvider.token=",
            "--ServerApp.password=",
            "--ServerApp.disable_check_xsrf=True",
            "--LabApp.expose_app_in_browser=True",
            "--LabApp.news_url=",
            "--allow-root",  # CI runs as root
            f"--ServerApp.root_dir={root}",
        ],
        cwd=root,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    server = LabServer(root, port, process, log_path, log)
    try:
        server.wait_until_listening(LAB_START_TIMEOUT)
    except BaseException:
        server.stop()
        raise
    return server


def run_all_cells(page: Any, server: LabServer, notebook: str) -> None:
    """Open ``notebook``, wait for its kernel, run every cell and wait until all are done."""
    page.goto(server.lab_url(notebook))
    # The kernel is up when the status bar says so; the notebook must have the focus for
    # "run all cells" to apply to it.
    page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=RUN_ALL_TIMEOUT_MS)
    page.locator(".jp-Notebook .jp-Cell").first.click()
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    # Every code cell has an execution count once it ran ("[*]" while it runs).
    page.wait_for_function(
        """() => {
            const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')];
            return prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p.textContent));
        }""",
        timeout=RUN_ALL_TIMEOUT_MS,
    )


def run_notebook_in_lab(
    page: Any, lab: Callable[[Path], LabServer], root: Path, name: str, *cells: str
) -> LabServer:
    """Write a notebook of ``cells`` as ``root/name``, start JupyterLab over ``root`` (the
    ``lab`` fixture) and run every cell in ``page``: the server, for the test to stop."""
    write_notebook(root / name, *cells)
    server = lab(root)
    run_all_cells(page, server, name)
    return server
