"""Ingestion benchmark: ``POST /api/event`` through the production server under wrk on loopback.

A throw-away data folder with one workspace and one site; ``--hits`` synthetic hits
(``netmark.analytics.synthetic``: Plausible bodies, user agents, documentation-range addresses,
5 % bots) in a file that ``bench/wrk_events.lua`` cycles through, each request with its own
User-Agent, X-Forwarded-For and Accept-Language. The server runs as ``netmark serve`` runs it:
``web_command`` (granian WSGI, ``--workers`` processes) with ``NETMARK_TRUSTED_PROXIES=127.0.0.1``
so that X-Forwarded-For names the visitor, and the event processor beside it unless
``--no-processor``. Reports events/s, latency, non-2xx answers, the resident memory of the serving
processes, the inbox backlog when wrk stops, and checks that the store holds exactly the human
events answered 2xx (bots are answered 202 and dropped).

    python bench/ingest_bench.py [--hits 200000] [--seconds 20] [--connections 16] [--workers 2]

Needs wrk (Debian package ``wrk``). Traffic goes to 127.0.0.1 only.
"""

import argparse
import itertools
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from netmark.analytics.synthetic import iter_hits, visitors_for  # noqa: E402
from netmark.analytics.synthetic_tables import ACCEPT_LANGUAGE  # noqa: E402

DOMAIN = "yunling-tea.example"
SETUP = r"""
import json, sys, django
django.setup()
from netmark.analytics import services as analytics
from netmark.commands.serve import processor_command, web_command
from netmark.core import services
workspace = services.create_workspace(None, "基准 ingest bench")
member = services.operator_member(workspace)
site = analytics.create_site(
    member, name="云岭茶业 bench", domain=sys.argv[1], events_per_minute=1_000_000_000
)
port, workers = int(sys.argv[2]), int(sys.argv[3])
print(json.dumps({"workspace": workspace.pk, "site": site.pk, "web": web_command("127.0.0.1", port, workers),
                  "processor": processor_command()}))
"""
COUNT = r"""
import django, sys
django.setup()
from netmark.analytics.stores import get_store
from netmark.analytics.stores.base import Query
store = get_store()
totals = store.totals(Query(int(sys.argv[1]), int(sys.argv[2]), 0, 2**62))
print(store.pending(), totals.pageviews + totals.events, totals.visits)
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1):  # noqa: S310 - loopback URL we built
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"server did not answer {url}")


def write_hits(path: Path, count: int, seed: int) -> int:
    """``count`` hits of a week of traffic, one request per line for the Lua script."""
    days = 7
    start = datetime.now(UTC).date() - timedelta(days=days)
    per_day = visitors_for(count, days, seed)
    hits = itertools.islice(
        iter_hits(seed, domain=DOMAIN, start=start, days=days, visitors_per_day=per_day), count
    )
    bots = 0
    with path.open("w", encoding="utf-8") as handle:
        for hit in hits:
            bots += hit.is_bot
            body = json.dumps(hit.body, ensure_ascii=False, separators=(",", ":"))
            language = ACCEPT_LANGUAGE.get(hit.language, "")
            handle.write(f"{'b' if hit.is_bot else 'h'}\t{hit.user_agent}\t{hit.ip}\t{language}\t{body}\n")
    return bots


def process_tree(pid: int) -> list[int]:
    """``pid`` and its descendants, from /proc."""
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        queue.extend(int(child) for child in children)
    return found


def rss_mib(pid: int) -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
    return int(match.group(1)) / 1024 if match else 0.0


class RssSampler(threading.Thread):
    """Peak resident memory of the granian workers (summed) and of the whole serving group."""

    def __init__(self, server_pid: int, others: list[int]):
        super().__init__(daemon=True)
        self.server_pid, self.others = server_pid, others
        self.workers = self.total = 0.0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(0.5):
            tree = process_tree(self.server_pid)
            workers = sum(rss_mib(pid) for pid in tree[1:])
            total = workers + rss_mib(self.server_pid) + sum(rss_mib(pid) for pid in self.others)
            self.workers, self.total = max(self.workers, workers), max(self.total, total)


def run_wrk(url: str, hits_file: Path, seconds: int, connections: int) -> dict:
    script = Path(__file__).with_name("wrk_events.lua")
    command = [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "-s",
        str(script),
        url,
        "--",
        str(hits_file),
        "2",
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    latency = {p: re.search(rf"^\s+{p}%\s+([\d.]+\w+)", output, re.M).group(1) for p in ("50", "90", "99")}
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    counts = re.search(r"WRK_COUNTS sent=(\d+) bots=(\d+)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "completed": int(re.search(r"(\d+) requests in", output).group(1)),
        "non2xx": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "none",
        "sent": int(counts.group(1)),
        "bots_sent": int(counts.group(2)),
        **latency,
    }


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hits", type=int, default=200_000, help="distinct requests in the wrk file")
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-processor", action="store_true", help="run the web server only")
    parser.add_argument("--per-ip-limit", type=int, default=0, help="events per address a minute (0: off)")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk")
    data_dir = Path(tempfile.mkdtemp(prefix="netmark-ingest-bench-"))
    env = {
        **os.environ,
        "NETMARK_DATA_DIR": str(data_dir),
        "DJANGO_SETTINGS_MODULE": "netmark.settings",
        "NETMARK_TRUSTED_PROXIES": "127.0.0.1",
        "NETMARK_INGEST_PER_IP_MINUTE": str(args.per_ip_limit),
    }
    for name in ("NETMARK_DATABASE_URL", "NETMARK_EVENTS_URL", "NETMARK_REDIS_URL"):
        env.pop(name, None)
    python = [sys.executable]
    subprocess.run(
        [*python, "-m", "netmark.cli", "migrate"], env=env, check=True, capture_output=True, cwd=ROOT
    )
    port = free_port()
    setup = subprocess.run(
        [*python, "-c", SETUP, DOMAIN, str(port), str(args.workers)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    config = json.loads(setup.stdout.strip().splitlines()[-1])
    hits_file = data_dir / "hits.tsv"
    started = time.monotonic()
    bots_in_file = write_hits(hits_file, args.hits, args.seed)
    print(f"{args.hits} hits ({bots_in_file} bots) written in {time.monotonic() - started:.1f} s")
    server = subprocess.Popen(
        config["web"], env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    processor = None
    if not args.no_processor:
        processor = subprocess.Popen(config["processor"], env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(base + "/healthz")
        sampler = RssSampler(server.pid, [processor.pid] if processor else [])
        sampler.start()
        result = run_wrk(base, hits_file, args.seconds, args.connections)
        sampler.stop.set()
        backlog = count(env, config)[0]
    finally:
        stop(server)
        if processor is not None:
            stop(processor)
    try:
        return report(args, env, config, result, sampler, backlog)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def count(env: dict, config: dict) -> tuple[int, int, int]:
    """(inbox backlog, stored events, visits) of the bench site, read through the store."""
    output = subprocess.run(
        [sys.executable, "-c", COUNT, str(config["workspace"]), str(config["site"])],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout
    pending, stored, visits = (int(value) for value in output.split())
    return pending, stored, visits


def report(args, env, config, result, sampler, backlog) -> int:
    started = time.monotonic()
    subprocess.run(
        [sys.executable, "-m", "netmark.cli", "analytics", "process"],
        env=env,
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    drain_seconds = time.monotonic() - started
    pending, stored, visits = count(env, config)
    ok = result["completed"] - result["non2xx"]
    unanswered = result["sent"] - result["completed"]
    low, high = ok - result["bots_sent"], ok - result["bots_sent"] + unanswered + result["non2xx"]
    verdict = "PASS" if pending == 0 and low <= stored <= high else "FAIL"
    print(
        f"wrk: {result['completed']} answers ({ok} 2xx, {result['non2xx']} non-2xx), {result['sent']} sent "
        f"({result['bots_sent']} bots), socket errors: {result['socket_errors']}"
    )
    print(f"inbox backlog when wrk stopped: {backlog}; processed after the run in {drain_seconds:.1f} s")
    print(
        f"stored events: {stored} in {visits} visits; expected {low}..{high} "
        f"(2xx - bots sent .. + unanswered): {verdict}"
    )
    mode = "web + processor" if not args.no_processor else "web only"
    header = "setup | requests/s | stored/s | p50 | p90 | p99 | non-2xx | RSS workers | RSS all"
    print(f"\n| {header} | stored = 2xx humans |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    cells = [
        f"{args.workers} workers, {mode}, wrk -t2 -c{args.connections} {args.seconds} s",
        f"{result['rps']:,.0f}",
        f"{stored / args.seconds:,.0f}",
        *(result[p] for p in ("50", "90", "99")),
        str(result["non2xx"]),
        f"{sampler.workers:.0f} MiB",
        f"{sampler.total:.0f} MiB",
        f"{verdict} ({stored:,})",
    ]
    print("| " + " | ".join(cells) + " |")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
