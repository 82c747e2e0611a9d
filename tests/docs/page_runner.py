"""Run a documentation page's blocks as a reader would: a shell, a server, a notebook, in one folder.

The reader's machine is stood in for by a fresh folder (the working directory of every block, so the
data folder is ``./crowdform-data`` as the page says), a ``crowdform`` command on ``PATH`` that runs
this checkout, a free loopback port (``CROWDFORM_PORT``) and an environment with no AWS variables or
files of the machine running the tests. Shell blocks run with bash, one process each; the variables a
block exports are kept for the blocks after it, shell and Python alike, as they would be in the
reader's terminal that then starts Python. Python blocks run in one interpreter (``notebook_kernel``).
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import IO, Any

import httpx

from tests.docs.page_blocks import Block

REPO = Path(__file__).resolve().parents[2]
KERNEL = Path(__file__).with_name("notebook_kernel.py")
BLOCK_TIMEOUT = 120.0
# Variables that colour or resize the CLI's output, or that point the reader's tools elsewhere.
_DROPPED = ("FORCE_COLOR", "PY_COLORS", "CLICOLOR_FORCE", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "TERMINAL_WIDTH",
            "GITHUB_ACTIONS", "COLUMNS", "LINES", "PYTHONSTARTUP", "VIRTUAL_ENV")


class BlockFailed(AssertionError):
    pass


def reader_environment(home: Path, port: int, database_url: str | None) -> dict[str, str]:
    """A shell of a reader who has crowdform installed and has never set up AWS."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AWS_", "CROWDFORM_", "BOTO_")) and k not in _DROPPED}
    bin_dir = home / ".bin"
    bin_dir.mkdir(exist_ok=True)
    command = bin_dir / "crowdform"
    command.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m crowdform "$@"\n')
    command.chmod(0o755)
    env.update(
        PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}",
        PYTHONPATH=os.pathsep.join([str(REPO / "src"), *filter(None, [env.get("PYTHONPATH")])]),
        HOME=str(home),
        CROWDFORM_PORT=str(port),
        # Quicker background rounds than the defaults: the page waits for the job, it never relies on its pace.
        CROWDFORM_TICK_SECONDS="0.1", CROWDFORM_CONSOLIDATION_DELAY_SECONDS="0.2", CROWDFORM_OUTPUT_INTERVAL_SECONDS="1",
        # No AWS configuration of this machine, and no instance metadata to wait for offline.
        AWS_CONFIG_FILE=str(home / "no-aws-config"), AWS_SHARED_CREDENTIALS_FILE=str(home / "no-aws-credentials"),
        AWS_EC2_METADATA_DISABLED="true",
        NO_COLOR="1", TERM="dumb",
    )
    if database_url is not None:
        env["CROWDFORM_DATABASE_URL"] = database_url
    return env


class PageRun:
    """One reader's session over one page: call :meth:`step` for each block in order, then :meth:`close`."""

    def __init__(self, page: Path, folder: Path, env: dict[str, str]):
        self.page = page
        self.folder = folder
        self.env = dict(env)
        self.server: subprocess.Popen[bytes] | None = None
        self.kernel: subprocess.Popen[str] | None = None
        self.printed: dict[int, str] = {}
        """What each ``run`` block printed, by its line on the page."""
        self.logs = folder.parent / "logs"
        self.logs.mkdir(exist_ok=True)

    # -------------------------------------------------------------------------------- blocks
    def step(self, block: Block) -> None:
        if block.action == "file":
            target = self.folder / block.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(block.text, encoding="utf-8")
        elif block.action == "background":
            self._start_server(block)
        elif block.action == "run" and block.language == "bash":
            self.printed[block.line] = self._run_shell(block)
        elif block.action == "run" and block.language == "python":
            self.printed[block.line] = self._run_python(block)
        else:
            raise BlockFailed(f"{block.where(self.page)}: no way to run this block")

    def _run_shell(self, block: Block) -> str:
        script = self.logs / f"block-{block.line}.sh"
        script.write_text(block.text)
        exported = self.logs / f"block-{block.line}.env"
        done = subprocess.run(["bash", "-c", 'set -eo pipefail; . "$1"; env -0 > "$2"', "page", str(script),
                               str(exported)], cwd=self.folder, env=self.env, capture_output=True, text=True,
                              timeout=BLOCK_TIMEOUT)
        if done.returncode != 0:
            raise BlockFailed(f"{block.where(self.page)} exited with {done.returncode}\n--- stdout\n{done.stdout}"
                              f"--- stderr\n{done.stderr}{self.server_log()}")
        self.env = dict(item.split("=", 1) for item in exported.read_text().split("\0") if "=" in item)
        return done.stdout

    def _run_python(self, block: Block) -> str:
        if self.kernel is None:
            with open(self.logs / "kernel.log", "ab") as log:
                self.kernel = subprocess.Popen([sys.executable, str(KERNEL)], cwd=self.folder, env=self.env,
                                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, text=True)
        assert self.kernel.stdin is not None and self.kernel.stdout is not None
        request = {"name": f"{self.page.name}:{block.line}", "code": block.text, "env": self.env,
                   "cwd": str(self.folder)}
        self.kernel.stdin.write(json.dumps(request) + "\n")
        self.kernel.stdin.flush()
        reply = self._read_reply(self.kernel.stdout, block)
        if not reply["ok"]:
            raise BlockFailed(f"{block.where(self.page)} raised\n{reply['error']}--- printed\n{reply['stdout']}"
                              f"{self._log('kernel.log')}{self.server_log()}")
        return str(reply["stdout"])

    def _read_reply(self, stream: IO[str], block: Block) -> dict[str, Any]:
        ready, _, _ = select.select([stream], [], [], BLOCK_TIMEOUT)
        if not ready:
            raise BlockFailed(f"{block.where(self.page)} still ran after {BLOCK_TIMEOUT} s{self.server_log()}")
        line = stream.readline()
        if not line:
            raise BlockFailed(f"{block.where(self.page)}: the Python process died{self._log('kernel.log')}")
        reply: dict[str, Any] = json.loads(line)
        return reply

    # -------------------------------------------------------------------------------- the server
    def _start_server(self, block: Block) -> None:
        with open(self.logs / "server.log", "ab") as log:
            # A session of its own, as a terminal would give it, so that stopping it reaches every process.
            self.server = subprocess.Popen(["bash", "-c", block.text], cwd=self.folder,
                                           env=self.env, stdout=log,
                                           stderr=subprocess.STDOUT, start_new_session=True)
        url = f"http://127.0.0.1:{self.env['CROWDFORM_PORT']}/health"
        deadline = time.monotonic() + BLOCK_TIMEOUT
        while time.monotonic() < deadline and self.server.poll() is None:
            try:
                if httpx.get(url, timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        raise BlockFailed(f"{block.where(self.page)}: the server did not answer {url}{self.server_log()}")

    def server_log(self) -> str:
        return self._log("server.log")

    def _log(self, name: str) -> str:
        path = self.logs / name
        text = path.read_text(errors="replace") if path.is_file() else ""
        return f"\n--- {name} (last 4000 characters)\n{text[-4000:]}" if text else ""

    def close(self) -> None:
        if self.kernel is not None:
            assert self.kernel.stdin is not None
            self.kernel.stdin.close()
            try:
                self.kernel.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kernel.kill()
                self.kernel.wait()
        if self.server is not None and self.server.poll() is None:
            os.killpg(self.server.pid, signal.SIGINT)  # Ctrl-C in the server's terminal
            try:
                self.server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.server.pid, signal.SIGKILL)
                self.server.wait()
