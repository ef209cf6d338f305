"""API read benchmark: the production server (granian WSGI, 2 workers) under wrk on loopback.

Sets up a throw-away data folder with the demo workspace plus ``--plans`` extra promotion plans,
starts ``netmark web``, and runs wrk against the plan list, a plan detail and /healthz.

    python bench/api_bench.py [--plans 1000] [--seconds 10] [--connections 16]

Needs wrk (Debian package ``wrk``). Traffic goes to 127.0.0.1 only.
"""

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

SETUP = r"""
import datetime, django, sys
django.setup()
from netmark.demo import create_demo
from netmark.core import services
from netmark.core.roles import Role
from netmark.planning import services as planning
workspace, _ = create_demo()
from netmark.core.models import Member
from netmark.core.scoping import scoped
member = scoped(Member, workspace).filter(role=Role.OWNER).exclude(user=None).first()
start = datetime.date(2026, 1, 5)
for index in range(int(sys.argv[1])):
    day = start + datetime.timedelta(days=index % 300)
    planning.create_plan(member, name=f"基准计划 {index} bench", objective="压测 benchmark",
                         starts_on=day, ends_on=day + datetime.timedelta(days=14),
                         targets=[{"kpi": "leads", "target": "100"}])
_token, secret = services.create_token(member, "bench")
plan = planning.list_plans(workspace).first()
print(secret, plan.pk)
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1):  # noqa: S310 - loopback URL we built
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"server did not answer {url}")


def run_wrk(url: str, token: str, seconds: int, connections: int) -> dict:
    command = [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "-H",
        f"Authorization: Bearer {token}",
        url,
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    latency = {p: re.search(rf"^\s+{p}%\s+([\d.]+\w+)", output, re.M).group(1) for p in ("50", "90", "99")}
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {"rps": rate, **latency, "non2xx": int(errors.group(1)) if errors else 0}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--plans", type=int, default=1000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk")
    data_dir = tempfile.mkdtemp(prefix="netmark-bench-")
    # The per-token rate limit would answer 429 within a second: the benchmark measures capacity.
    env = {
        **os.environ,
        "NETMARK_DATA_DIR": data_dir,
        "DJANGO_SETTINGS_MODULE": "netmark.settings",
        "NETMARK_API_RATE_LIMIT": "100000000",
    }
    for name in ("NETMARK_DATABASE_URL", "NETMARK_REDIS_URL"):
        env.pop(name, None)
    netmark = [sys.executable, "-m", "netmark.cli"]
    subprocess.run([*netmark, "migrate"], env=env, check=True, capture_output=True)
    started = time.monotonic()
    setup = subprocess.run(
        [sys.executable, "-c", SETUP, str(args.plans)], env=env, check=True, capture_output=True, text=True
    )
    token, plan_id = setup.stdout.split()[-2:]
    print(f"setup: demo + {args.plans} plans in {time.monotonic() - started:.1f} s")
    port = free_port()
    server = subprocess.Popen(
        [*netmark, "web", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(base + "/healthz")
        print(f"{'route':<34} {'req/s':>8} {'p50':>9} {'p90':>9} {'p99':>9} {'non-2xx':>8}")
        for label, path in [
            ("GET /healthz", "/healthz"),
            ("GET /api/v1/plans?limit=50", "/api/v1/plans?limit=50"),
            ("GET /api/v1/plans/{id}", f"/api/v1/plans/{plan_id}"),
            ("GET /api/v1/products", "/api/v1/products"),
        ]:
            result = run_wrk(base + path, token, args.seconds, args.connections)
            print(
                f"{label:<34} {result['rps']:>8.0f} {result['50']:>9} {result['90']:>9} "
                f"{result['99']:>9} {result['non2xx']:>8}"
            )
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
