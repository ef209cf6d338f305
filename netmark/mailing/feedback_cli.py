"""``netmark mailing bounce-server|hooks|deliverability``: the receiver of bounces and complaints,
provider webhooks and the DNS check from the command line (registered by ``mailing.cli``)."""

import signal
import threading

from django.conf import settings
from django.utils.translation import gettext as _

from netmark.commands.base import Commands, Context, UsageError, read_input
from netmark.mailing import bounce_server, services
from netmark.mailing.feedback_models import FeedbackHook


def register(commands: Commands) -> None:
    parser = commands.verb(
        "mailing", "bounce-server", bounce_serve, _("receive bounces and complaints by SMTP (VERP, DSN, ARF)")
    )
    parser.add_argument(
        "--host", default=None, help=_("address to listen on (default NETMARK_BOUNCE_SMTP_HOST)")
    )
    parser.add_argument("--port", type=int, default=None, help=_("port (default NETMARK_BOUNCE_SMTP_PORT)"))

    parser = commands.verb("mailing", "hooks", hooks, _("list, add or remove provider webhooks"))
    parser.add_argument("action", nargs="?", choices=["list", "add", "remove"], default="list")
    parser.add_argument("--provider", choices=FeedbackHook.Provider.values)
    parser.add_argument("--secret-file", help=_("file holding the signing key or certificate (add)"))
    parser.add_argument("--topic-arn", default="", help=_("SNS topic ARN (SES)"))
    parser.add_argument("--id", type=int, help=_("the webhook to remove"))

    parser = commands.verb(
        "mailing", "deliverability", deliverability, _("look up SPF, DKIM and DMARC of a sending domain")
    )
    parser.add_argument("--domain", required=True)


def bounce_serve(context: Context) -> int:
    controller, handler = bounce_server.start(context.args.host, context.args.port)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_args: stop.set())
    context.progress(
        _("Receiving bounces for %(domain)s on %(host)s:%(port)s (Ctrl-C stops).")
        % {"domain": settings.BOUNCE_DOMAIN, "host": controller.hostname, "port": controller.port}
    )
    try:
        stop.wait()
    finally:
        controller.stop()
    context.emit({"applied": handler.received, "refused": handler.refused}, _("Stopped."))
    return 0


def hooks(context: Context) -> int:
    args = context.args
    if args.action == "add":
        if not args.provider or not args.secret_file:
            raise UsageError(_("Give --provider and --secret-file."))
        secret = read_input(args.secret_file).decode("utf-8", "replace")
        hook = services.create_hook(
            context.member, provider=args.provider, secret=secret, topic_arn=args.topic_arn
        )
        url = services.hook_url(hook)
        context.emit(
            {"id": hook.pk, "provider": hook.provider, "url": url},
            _("Give the provider: %(url)s") % {"url": url},
        )
    elif args.action == "remove":
        if not args.id:
            raise UsageError(_("Give --id of the webhook to remove."))
        services.delete_hook(context.member, args.id)
        context.emit({"removed": args.id}, _("Removed."))
    else:
        rows = [
            {"id": hook.pk, "provider": hook.provider, "url": services.hook_url(hook)}
            for hook in services.list_hooks(context.workspace)
        ]
        context.table(rows, ["id", "provider", "url"], empty=_("No provider webhook."))
    return 0


def deliverability(context: Context) -> int:
    checks = services.check_domain(context.workspace, context.args.domain)
    rows = [{"check": c.label, "status": c.status, "advice": c.advice, "publish": c.publish} for c in checks]
    if context.json:
        context.emit(rows)
    else:
        context.table(rows, ["check", "status", "advice"], empty="")
    return 0 if all(c.status == "ok" for c in checks) else 1
