"""``netmark serve|web|worker``: the web server (granian, WSGI) and the Huey consumer.

``serve`` is the embedded default on one machine: it migrates, sets up a first run (demo workspace
and first admin, passwords printed once), collects static files, then supervises two children,
granian and the Huey consumer. SIGTERM and SIGINT are forwarded to both; when either child dies
the other is stopped and ``serve`` exits, so a process manager can restart the whole group.
"""

import ctypes
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.utils.translation import gettext as _

from netmark import operations
from netmark.commands.base import Commands, Context

PR_SET_PDEATHSIG = 1
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def register(commands: Commands) -> None:
    parser = commands.command("serve", serve, _("run everything on this machine: web server and worker"))
    _web_options(parser)
    parser.add_argument("--admin-email", default="admin@localhost", help=_("the first admin on a first run"))
    parser.add_argument(
        "--no-demo", action="store_true", help=_("do not create the demo workspace on a first run")
    )
    _web_options(commands.command("web", web, _("run the web server only (behind a proxy, at scale)")))
    commands.command("worker", worker, _("run the job consumer only (Huey)"))


def _web_options(parser) -> None:
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=2, help=_("web worker processes"))


def child_environment() -> dict[str, str]:
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "netmark.settings"
    env["NETMARK_DATA_DIR"] = str(settings.DATA_DIR)
    return env


def web_command(host: str, port: int, workers: int) -> list[str]:
    static_root = Path(settings.STATIC_ROOT)
    static_root.mkdir(parents=True, exist_ok=True)
    return [
        sys.executable, "-m", "granian",
        "--interface", "wsgi",
        "--host", host,
        "--port", str(port),
        "--workers", str(workers),
        "--respawn-failed-workers",
        # A bounded thread pool per worker: database-bound views gain nothing from 256 threads.
        "--blocking-threads", "4",
        "--backpressure", "64",
        "--static-path-route", settings.STATIC_URL.rstrip("/"),
        "--static-path-mount", str(static_root),
        "netmark.wsgi:application",
    ]  # fmt: skip


def processor_command() -> list[str]:
    """Moves received events into visits and reports, a second at most after they arrive."""
    return [sys.executable, "-m", "netmark.cli", "analytics", "process", "--follow"]


def worker_command() -> list[str]:
    return [sys.executable, "-m", "django", "run_huey", "--graceful-signal", "TERM"]


def _die_with_parent() -> None:
    """In the child: receive SIGTERM if the supervisor itself dies (even by kill -9)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


class Supervisor:
    """Starts the children, forwards stop signals to them and stops them all when one exits.

    ``run`` returns 0 after a requested stop (a signal) and 1 when a child died on its own.
    """

    def __init__(self, commands: dict[str, list[str]], *, env: dict | None = None, grace_seconds: float = 30):
        self.commands = commands
        self.env = env
        self.grace_seconds = grace_seconds
        self.children: dict[str, subprocess.Popen] = {}
        self.signalled: set[str] = set()  # a second SIGTERM would cut the consumer's graceful stop short
        self.stop_requested: int | None = None

    def run(self, report=None) -> int:
        previous = {signum: signal.signal(signum, self._request_stop) for signum in STOP_SIGNALS}
        died = None
        try:
            for name, command in self.commands.items():
                # Own session: a terminal's Ctrl-C reaches the supervisor once, which forwards it once.
                self.children[name] = subprocess.Popen(  # noqa: S603 - our own fixed commands
                    command, env=self.env, start_new_session=True, preexec_fn=_die_with_parent
                )
            died = self._wait()
            if died and report:
                report(died, self.children[died].returncode)
        finally:
            self._stop_all()
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        return 0 if self.stop_requested and not died else 1

    def _request_stop(self, signum, frame) -> None:
        """SIGTERM or SIGINT: each child gets SIGTERM, which both granian and the consumer (started
        with ``--graceful-signal TERM``) take as "finish the work in hand, then exit"."""
        self.stop_requested = signum
        self._terminate()

    def _terminate(self) -> None:
        for name, child in self.children.items():
            if name not in self.signalled and child.poll() is None:
                self.signalled.add(name)
                child.send_signal(signal.SIGTERM)

    def _wait(self) -> str | None:
        """The name of the child that exited on its own, or None when a stop was requested."""
        while self.stop_requested is None:
            for name, child in self.children.items():
                if child.poll() is not None:
                    return name
            time.sleep(0.2)
        return None

    def _stop_all(self) -> None:
        self._terminate()
        deadline = time.monotonic() + self.grace_seconds
        for child in self.children.values():
            try:
                child.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


def _collect_static(context: Context) -> None:
    context.progress(_("Collecting static files…"))
    call_command("collectstatic", interactive=False, verbosity=0)


def _report(context: Context):
    def report(name: str, code: int) -> None:
        context.progress(_("%(name)s stopped (exit code %(code)s); stopping.") % {"name": name, "code": code})

    return report


def serve(context: Context) -> int:
    args = context.args
    context.progress(_("Migrating the database…"))
    call_command("migrate", interactive=False, verbosity=0)
    credentials = operations.first_run(args.admin_email, with_demo=not args.no_demo)
    if credentials:
        lines = [_("First run: these passwords are shown once; store them now.")]
        lines += [f"  {email}  {password}" for email, password in credentials.items()]
        context.emit({"credentials": credentials}, "\n".join(lines))
    _collect_static(context)
    context.progress(_("Serving on http://%(host)s:%(port)d/ (Ctrl-C stops).") % vars(args))
    commands = {
        "web": web_command(args.host, args.port, args.workers),
        "worker": worker_command(),
        "events": processor_command(),
    }
    if settings.BOUNCE_SERVER:
        commands["bounces"] = [sys.executable, "-m", "netmark.cli", "mailing", "bounce-server"]
    return Supervisor(commands, env=child_environment()).run(_report(context))


def web(context: Context) -> int:
    args = context.args
    _collect_static(context)
    commands = {"web": web_command(args.host, args.port, args.workers)}
    return Supervisor(commands, env=child_environment()).run(_report(context))


def worker(context: Context) -> int:
    call_command("run_huey", graceful_signal="TERM")
    return 0
