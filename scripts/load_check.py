"""Load check: N concurrent shoppers x M turns each through the HTTP session API, over real sockets.

    .venv/bin/python scripts/load_check.py --sessions 50 --turns 20
    .venv/bin/python scripts/load_check.py --url http://127.0.0.1:7860 --sessions 10 --turns 5

Without ``--url`` it starts the app itself (``uvicorn assistant.web.server:create_app --factory``)
on a free port of 127.0.0.1 with a fresh data dir (or ``--data-dir``, to reuse an ingested
store), the configured backend (``extractive`` by default) and rate limits raised out of the way.
Each shopper opens a session and sends its turns one after another (no think time), reading
each reply's SSE stream to ``done``. ``--distinct`` makes every message new text (a shopper and
turn number appended), so no cache of recent messages' embeddings helps. ``--messages bitext``
sends real shoppers' words instead of the demo store's questions: the Bitext customer-service
validation utterances (../shared/data, read here, never copied; typos, orders, complaints, asks
for a person, so conversations get handed off and relayed), shopper n taking rows n*M on.
Reported: throughput, time to first token and to done
(p50/p95/p99), and errors by kind. A measurement, not a test: nothing here asserts a number.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = [
    "How heavy is the Alpine 40 Pack?",
    "Is the Summit Rain Jacket in black XL in stock?",
    "and in red?",
    "How long do I have to return running shoes?",
    "Do you have any backpacks?",
    "What payment methods do you accept?",
    "Do you have a rain jacket under $150?",
    "How long does shipping take?",
]
BITEXT = ROOT.parent / "shared" / "data" / "bitext-customer-service" / \
    "Bitext_Sample_Customer_Service_Validation_Dataset.csv"


def bitext_messages() -> list[str]:
    import csv

    with BITEXT.open(encoding="utf-8", newline="") as handle:
        return [row["utterance"] for row in csv.DictReader(handle)]


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(data_dir: Path, workers: int, processes: int = 1) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(data_dir), "GRADIO_ANALYTICS_ENABLED": "False",
           "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False",
           "ASSISTANT_HTTP__RATE_LIMIT_PER_IP": "100000000", "ASSISTANT_HTTP__RATE_LIMIT_PER_SESSION": "100000",
           "ASSISTANT_HTTP__REPLY_WORKERS": str(workers)}
    log = open(data_dir / "server.log", "w")
    if processes > 1:       # what `assistant serve --workers N` runs: N API processes on one port
        command = ["-m", "assistant.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
                   "--workers", str(processes), "--ui-port", str(free_port())]
    else:
        command = ["-m", "uvicorn", "assistant.web.server:create_app", "--factory", "--host", "127.0.0.1",
                   "--port", str(port), "--log-level", "warning"]
    process = subprocess.Popen([sys.executable, *command], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 600          # a fresh data dir ingests the demo store first
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited; see {data_dir / 'server.log'}")
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return process, url
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    process.terminate()
    raise SystemExit("the server did not become ready")


async def shopper(client: httpx.AsyncClient, number: int, turns: int, results: list[dict], errors: Counter,
                  distinct: bool = False, messages: list[str] | None = None) -> None:
    try:
        grant = (await client.post("/api/v1/sessions")).raise_for_status().json()
    except httpx.HTTPError as exc:
        errors[f"create session: {type(exc).__name__}"] += turns
        return
    headers = {"Authorization": f"Bearer {grant['token']}"}
    for turn in range(turns):
        question = (messages[(number * turns + turn) % len(messages)] if messages
                    else QUESTIONS[(number + turn) % len(QUESTIONS)])
        if distinct:
            question = f"{question.rstrip('?')} (shopper {number}, question {turn})?"
        started = time.perf_counter()
        first = None
        done = False
        try:
            async with client.stream("POST", f"/api/v1/sessions/{grant['session_id']}/messages", headers=headers,
                                     json={"text": question}) as response:
                if response.status_code != 200:
                    errors[f"HTTP {response.status_code}"] += 1
                    await response.aread()
                    continue
                async for line in response.aiter_lines():
                    if line.startswith("event: token") and first is None:
                        first = time.perf_counter() - started
                    elif line.startswith("event: done"):
                        done = True
                    elif line.startswith("event: error"):
                        errors["error event"] += 1
        except httpx.HTTPError as exc:
            errors[type(exc).__name__] += 1
            continue
        if not done:
            errors["stream ended without done"] += 1
            continue
        results.append({"first_token": first, "done": time.perf_counter() - started})


async def run(url: str, sessions: int, turns: int, distinct: bool = False, messages: list[str] | None = None) -> dict:
    results: list[dict] = []
    errors: Counter = Counter()
    limits = httpx.Limits(max_connections=sessions + 8, max_keepalive_connections=sessions + 8)
    async with httpx.AsyncClient(base_url=url, timeout=httpx.Timeout(120.0), limits=limits) as client:
        started = time.perf_counter()
        await asyncio.gather(*(shopper(client, n, turns, results, errors, distinct, messages) for n in range(sessions)))
        wall = time.perf_counter() - started
    done = [r["done"] for r in results]
    first = [r["first_token"] for r in results if r["first_token"] is not None]
    ms = lambda values, p: round(percentile(values, p) * 1000, 1)  # noqa: E731
    return {"sessions": sessions, "turns_per_session": turns, "distinct": distinct,
            "messages": "bitext" if messages else "store", "turns_ok": len(results),
            "errors": sum(errors.values()), "errors_by_kind": dict(errors), "wall_s": round(wall, 2),
            "turns_per_s": round(len(results) / wall, 2) if wall else None,
            "done_ms": {"p50": ms(done, 50), "p95": ms(done, 95), "p99": ms(done, 99), "max": ms(done, 100)},
            "first_token_ms": {"p50": ms(first, 50), "p95": ms(first, 95), "p99": ms(first, 99)}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--turns", type=int, default=20)
    parser.add_argument("--url", help="an app that is already running (else one is started)")
    parser.add_argument("--data-dir", type=Path, help="data dir for the started app (reuse an ingested store)")
    parser.add_argument("--workers", type=int, default=8, help="reply workers of the started app")
    parser.add_argument("--processes", type=int, default=1, help="API processes (`assistant serve --workers N`) "
                        "sharing the data dir; the store is ingested once before they start")
    parser.add_argument("--json", type=Path, help="also write the report here")
    parser.add_argument("--distinct", action="store_true", help="every message new text (no cache hits)")
    parser.add_argument("--messages", choices=("store", "bitext"), default="store",
                        help="the demo store's questions, or real shoppers' words (Bitext validation split)")
    args = parser.parse_args()
    if args.messages == "bitext" and not BITEXT.is_file():
        parser.error(f"--messages bitext reads {BITEXT}, which is not there")
    messages = bitext_messages() if args.messages == "bitext" else None

    process = None
    url = args.url
    if url is None:
        data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="load-check-"))
        data_dir.mkdir(parents=True, exist_ok=True)
        began = time.perf_counter()
        process, url = start_server(data_dir, args.workers, args.processes)
        print(f"app ready at {url} in {time.perf_counter() - began:.1f}s (data dir {data_dir})", file=sys.stderr)
    else:
        try:
            httpx.get(f"{url}/readyz", timeout=5).raise_for_status()
        except httpx.HTTPError as exc:
            parser.error(f"the app at {url} is not ready ({exc})")
    try:
        report = asyncio.run(run(url, args.sessions, args.turns, args.distinct, messages))
        report["url"] = url
        report["server_metrics"] = {line.split(" ")[0]: line.split(" ")[1] for line in
                                    httpx.get(f"{url}/metrics", timeout=10).text.splitlines()
                                    if line.startswith(("assistant_replies_total", "assistant_reply_seconds_count",
                                                        "assistant_reply_seconds_sum"))}
    finally:
        if process is not None:
            process.terminate()          # SIGTERM: uvicorn ignores SIGINT when started from a script
            process.wait(timeout=30)
    print(json.dumps(report, indent=2))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
