"""Form submissions benchmark: ``--submissions`` JSON submissions through the whole public path
(``POST /f/<id>/submit`` in Django's test client: token and spam checks, validation, contact upsert,
consent, timeline entry, submission row, webhook rows, the goal event appended after commit), first
as new people, then the same people again (dedupe: updates). Prints submissions per second, median
of ``--runs`` runs.

    python bench/forms_bench.py [--submissions 1000] [--runs 3]

SQLite in a throw-away data folder (records and events); no webhook subscription (deliveries would
be jobs of their own).
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup(data_dir: str):
    os.environ.update(NETMARK_DATA_DIR=data_dir, DJANGO_SETTINGS_MODULE="netmark.settings")
    for name in ("NETMARK_EVENTS_URL", "NETMARK_REDIS_URL", "NETMARK_DATABASE_URL"):
        os.environ.pop(name, None)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.CAPTURE_SUBMITS_PER_MINUTE = 10**9
    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", interactive=False, verbosity=0)


def make_form(run: int):
    from netmark.capture import services
    from netmark.core import services as core

    user, _created = core.find_or_create_user(f"bench-{run}-{time.time_ns()}@example.com", password=None)
    workspace = core.create_workspace(
        user, "基准 forms bench", slug=f"forms-bench-{run}-{time.time_ns() % 10**9}"
    )
    owner = core.member_for(user, workspace.slug)
    fields = [
        {"key": "name", "label": "姓名", "required": True},
        {"key": "email", "label": "邮箱", "required": True},
        {"key": "phone", "label": "手机"},
        {"key": "message", "label": "留言"},
    ]
    return services.create_form(
        owner, name="试饮报名", fields=fields, consent_text="我同意接收营销邮件", tags=["春茶"]
    )


def old_token(form) -> str:
    from netmark.capture import submissions
    from netmark.core import signing

    moment = int((time.time() - 60) * 1000)
    return signing.sign(submissions.TOKEN_PURPOSE, {"f": form.public_id, "t": moment, "v": 0})


def one_pass(form, count: int) -> float:
    from django.test import Client

    client, url = Client(), f"/f/{form.public_id}/submit"
    token = old_token(form)
    started = time.perf_counter()
    for index in range(count):
        body = {
            "_token": token,
            "name": f"王{index} Wang",
            "email": f"person{index}@example.com",
            "phone": f"139{index:08d}",
            "message": "想试喝明前龙井",
            "consent": "on",
        }
        response = client.post(
            url, json.dumps(body), content_type="application/json", REMOTE_ADDR="203.0.113.7"
        )
        if response.status_code != 200:
            raise SystemExit(
                f"submission {index} answered {response.status_code}: {response.content[:300]!r}"
            )
    return count / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--submissions", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    setup(tempfile.mkdtemp(prefix="netmark-forms-bench-"))
    new, repeat = [], []
    for run in range(args.runs):
        form = make_form(run)
        new.append(one_pass(form, args.submissions))
        repeat.append(one_pass(form, args.submissions))
        print(f"run {run + 1}: new people {new[-1]:,.0f}/s, known people {repeat[-1]:,.0f}/s", flush=True)
    print(
        f"median of {args.runs}: new people {statistics.median(new):,.0f} submissions/s, "
        f"known people {statistics.median(repeat):,.0f} submissions/s"
    )


if __name__ == "__main__":
    main()
