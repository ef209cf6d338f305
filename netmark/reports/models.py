"""Report definitions, their runs (one per report x period) and client share links."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from netmark.core.models import Member, WorkspaceOwned
from netmark.planning.models import Plan


class Report(WorkspaceOwned):
    """What to report (sections), for whom (recipients, language) and when (schedule)."""

    class Kind(models.TextChoices):
        WEEKLY = "weekly", _("Weekly")
        MONTHLY = "monthly", _("Monthly")
        PROMOTION = "promotion", _("Per promotion")

    class Language(models.TextChoices):
        ENGLISH = "en", "English"
        CHINESE = "zh-hans", "简体中文"

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.WEEKLY)
    sections = models.JSONField(_("sections"), default=list)
    language = models.CharField(_("language"), max_length=10, choices=Language.choices, default="zh-hans")
    recipients = models.JSONField(_("recipients"), default=list, blank=True)
    # Weekly: 0 = Monday ... 6 = Sunday. Monthly: day 1 to 28. Both at send_time, workspace time zone.
    weekday = models.PositiveSmallIntegerField(_("weekday"), default=0)
    month_day = models.PositiveSmallIntegerField(_("day of the month"), default=1)
    send_time = models.TimeField(_("time"), default="08:00")
    plan = models.ForeignKey(
        Plan, null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("promotion")
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class ReportRun(WorkspaceOwned):
    """One report over one period. The row is the job's state: the periodic task creates it once
    (unique report x period), claims it with a conditional UPDATE and re-runs it when stale."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="runs")
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    html = models.TextField(blank=True)
    pdf = models.BinaryField(blank=True, default=b"")
    pages = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    deliver = models.BooleanField(default=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    email_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-period_end", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "period_start", "period_end"], name="report_run_once_per_period"
            )
        ]
        indexes = [models.Index(fields=["status", "heartbeat_at"])]

    def __str__(self) -> str:
        return f"{self.report} {self.period_start}–{self.period_end}"


class ShareLink(WorkspaceOwned):
    """A client's read-only view of one run; the token signs this row's id, the row can be revoked."""

    run = models.ForeignKey(ReportRun, on_delete=models.CASCADE, related_name="shares")
    created_by = models.ForeignKey(Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"share {self.pk} of {self.run_id}"
