"""Serve with several app processes: the HTTP API on one port, the Gradio screens in one process.

One app process does at most ~20-25 turns/s of per-turn Python under the GIL, so a machine with
N cores runs N API worker processes on one port. They share every
store already: sessions, rate buckets, reply leases, agent presence and stream followers in the
session database (SQLite in WAL on one machine, PostgreSQL by URL), the knowledge in Chroma.

Each worker is ``uvicorn --fd`` accepting on one socket this process binds (the kernel spreads
the connections). What cannot be spread over processes is Gradio: its queue and per-browser state live in the
process that rendered the page, and a browser's next request may reach another worker. So the
shopper chat (``/``) and the agent console (``/agent``) run in one more process on the UI port
(``--ui-port``, default port + 1); the API workers answer those two paths with a redirect there.
The store is ingested once, before any worker starts (a worker finds it ingested and does not
embed it again); torch gets ``cores // workers`` threads per process (at least one).
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import time

log = logging.getLogger(__name__)

UI_PORT_ENV = "ASSISTANT_UI_PORT"    # set for API workers: the port the Gradio screens are served on


def default_workers() -> int:
    """One API process per core this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:                       # not Linux
        return max(1, os.cpu_count() or 1)


def _ingest_once() -> None:
    """Runs in a child process, so the supervisor does not keep a copy of the model."""
    from assistant.knowledge.service import Knowledge
    from assistant.settings import get_settings

    report = Knowledge(get_settings()).ensure_ingested()
    if report:
        print(f"ingested the store on first start: {report}", file=sys.stderr)


def ingest_before_workers() -> None:
    child = multiprocessing.get_context("spawn").Process(target=_ingest_once, name="ingest")
    child.start()
    child.join()
    if child.exitcode != 0:
        raise SystemExit(f"ingesting the store failed (exit code {child.exitcode}); see the messages above")


def _listen(host: str, port: int) -> socket.socket:
    """The one listening socket every API worker accepts on (the kernel spreads connections)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise SystemExit(f"cannot listen on {host}:{port}: {exc}") from None
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def run_workers(host: str, port: int, workers: int, ui_port: int | None = None) -> None:
    """The API on ``host:port`` from ``workers`` processes, the Gradio screens on ``ui_port``.

    Each worker is ``uvicorn --fd`` on the socket bound here; this process only watches them (a
    worker that dies is started again) and stops them all on SIGTERM/SIGINT. No liveness ping:
    a worker loading the model on a busy machine is slow, not dead."""
    if workers < 1:
        raise ValueError(f"--workers must be at least 1, not {workers}")
    ui_port = ui_port or port + 1
    if ui_port == port:
        raise ValueError("--ui-port must differ from --port")
    threads = max(1, default_workers() // workers)
    env = {**os.environ, "ASSISTANT_EMBEDDING_THREADS": os.environ.get("ASSISTANT_EMBEDDING_THREADS", str(threads)),
           "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", str(threads))}
    env.pop(UI_PORT_ENV, None)
    ingest_before_workers()
    sock = _listen(host, port)
    uvicorn = [sys.executable, "-m", "uvicorn", "assistant.web.server:create_app", "--factory"]
    started: list[subprocess.Popen] = []

    def start_ui() -> subprocess.Popen:
        return subprocess.Popen([*uvicorn, "--host", host, "--port", str(ui_port), "--log-level", "warning"], env=env)

    def start_worker() -> subprocess.Popen:
        return subprocess.Popen([*uvicorn, "--fd", str(sock.fileno()), "--log-level", "info"],
                                env={**env, UI_PORT_ENV: str(ui_port)}, pass_fds=(sock.fileno(),))

    stopping = False

    def stop(signum, _frame) -> None:
        nonlocal stopping
        stopping = True

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    log.info("%d API workers on %s:%d (torch threads each: %d); chat and agent console on port %d",
             workers, host, port, threads, ui_port)
    try:
        processes = {"ui": start_ui(), **{f"worker {n}": start_worker() for n in range(workers)}}
        started.extend(processes.values())
        restarts = 0
        while not stopping:
            time.sleep(0.5)
            for name, proc in list(processes.items()):
                if proc.poll() is not None and not stopping:
                    restarts += 1
                    if restarts > 3 * (workers + 1):
                        raise SystemExit(f"{name} keeps exiting (code {proc.returncode}); see its messages above")
                    log.warning("%s exited with %s; starting it again", name, proc.returncode)
                    processes[name] = start_ui() if name == "ui" else start_worker()
                    started.append(processes[name])
    finally:
        for proc in started:
            if proc.poll() is None:
                proc.terminate()
        for proc in started:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        sock.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
