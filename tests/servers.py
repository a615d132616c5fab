"""Real servers for tests, on 127.0.0.1: a free port, an ASGI app in a thread, the app as a process."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import uvicorn

from assistant.settings import PROJECT_ROOT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """``with LiveServer(app) as server:`` serves ``app`` with uvicorn in a thread at ``server.url``."""

    def __init__(self, app):
        self.app = app
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                                    timeout_graceful_shutdown=2))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> "LiveServer":
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the app did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def _wait_until_up(proc: subprocess.Popen, health_url: str, log: Path, timeout: float, name: str,
                   pause: float) -> None:
    """Poll ``health_url`` until it answers 200; fail with the process's log if it exits or hangs."""
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            pytest.fail(f"{name} exited:\n" + log.read_text(errors="replace")[-3000:])
        try:
            if httpx.get(health_url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"{name} did not start within {timeout:.0f} s")
        time.sleep(pause)


@contextmanager
def app_process(data_dir: Path, env: dict[str, str] | None = None, timeout: float = 300,
                seed: Path | None = None) -> Iterator[str]:
    """``python app.py --workers 1`` as a user starts it (one process: the chat and the API on one
    port), with its own data dir; yields its URL once /healthz answers. ``seed``: an ingested data
    dir whose store and caches are copied in first, so the app starts as it restarts (a first
    start's ingest is tests/test_app.py's to test)."""
    port = free_port()
    log = Path(data_dir) / "app.log"
    Path(data_dir).mkdir(parents=True, exist_ok=True)
    for kept in ("chroma", "cache") if seed is not None else ():
        if (Path(seed) / kept).exists():
            shutil.copytree(Path(seed) / kept, Path(data_dir) / "data" / kept)
    full_env = {**os.environ, "ASSISTANT_DATA_DIR": str(Path(data_dir) / "data"),
                "GRADIO_ANALYTICS_ENABLED": "False", **(env or {})}
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "app.py", "--port", str(port), "--workers", "1"], cwd=PROJECT_ROOT, env=full_env,
                                stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(proc, f"{url}/healthz", log, timeout, "app", pause=1)
        yield url
    finally:
        proc.terminate()   # SIGTERM: servers started from scripts ignore SIGINT
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


@contextmanager
def chroma_server(path: Path, timeout: float = 60) -> Iterator[str]:
    """A real Chroma server (``chroma run``, shipped in the chromadb package); yields its URL."""
    port = free_port()
    chroma = Path(sys.executable).with_name("chroma")
    if not chroma.exists():
        pytest.skip(f"no chroma CLI beside {sys.executable}")
    log = Path(path).with_suffix(".log")
    with log.open("w") as out:
        proc = subprocess.Popen([str(chroma), "run", "--path", str(path), "--host", "127.0.0.1",
                                 "--port", str(port)], stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(proc, f"{url}/api/v2/heartbeat", log, timeout, "chroma", pause=0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
