"""Cost imports: preview (dry run), apply whole or row by row, idempotent by natural key; cost
mappings saved once, and the re-mapping of unmapped costs when a mapping is saved.

A file is parsed by ``formats.parse``. Each line's natural key (``Line.key``) is hashed into
``Cost.fingerprint``, unique per workspace: a key already stored is ``unchanged`` when its figures
are equal and ``updated`` when a later export revised them, so re-importing never doubles a cost.
The same key twice in one file is a ``duplicate`` (skipped) when both rows agree and a row error
when they do not. Applying is all-or-nothing unless ``partial`` is asked for: then the valid rows
are applied and the others reported. Unmapped rows are stored without a promotion and reported.

Promotion of a line (``Resolver``), never guessed:
1. a saved cost mapping for (platform, account, campaign), else for (platform, any account, campaign);
2. the line's ``utm_campaign`` (generic template), then its campaign name as a UTM campaign:
   the links app's links and UTM mappings (``links.services.resolve_promotion``), else a plan whose
   own UTM campaign is exactly that value;
3. else unmapped. The channel is the mapping's or link's, else the promotion's single channel of
   the platform's channel type.
"""

import hashlib

from django.db import transaction
from django.utils.translation import gettext as _

from netmark.core import audit, csvio, records
from netmark.core.errors import Conflict, ValidationFailed
from netmark.core.roles import Capability, require
from netmark.core.scoping import get_for, scoped
from netmark.links import services as link_services
from netmark.planning.models import ChannelAccount, Plan, PlanChannel
from netmark.roi import formats
from netmark.roi.models import Cost, CostImport, CostMapping

PLATFORM_CHANNEL_TYPES = {
    "baidu": "baidu_search_ads",
    "google_ads": "google_search_ads",
    "taobao": "affiliate",
}
COMPARED = (
    "amount",
    "currency",
    "impressions",
    "clicks",
    "conversions",
    "order_amount",
    "order_status",
    "spent_on",
)
PREVIEW_LINES = 100
BATCH = 500


class Resolver:
    """(plan id, channel account id) for a line's platform, account and campaign; cached."""

    def __init__(self, workspace):
        self.workspace = workspace
        self.mappings = {
            (m.platform, m.account, m.campaign): (m.plan_id, m.channel_account_id)
            for m in scoped(CostMapping, workspace)
        }
        self.plan_campaigns = {}
        for pk, campaign in (
            scoped(Plan, workspace).exclude(utm_campaign="").values_list("pk", "utm_campaign")
        ):
            self.plan_campaigns.setdefault(campaign.strip().lower(), set()).add(pk)
        self._cache: dict = {}

    def resolve(self, platform: str, account: str, campaign: str, utm_campaign: str = ""):
        key = (platform, account, campaign, utm_campaign)
        if key not in self._cache:
            self._cache[key] = self._resolve(*key)
        return self._cache[key]

    def _resolve(self, platform, account, campaign, utm_campaign):
        found = self.mappings.get((platform, account, campaign)) or self.mappings.get(
            (platform, "", campaign)
        )
        for value in (utm_campaign, campaign):
            if found is None and value:
                found = self._by_utm(value)
        if found is None:
            return None, None
        plan_id, account_id = found
        return plan_id, account_id or self._platform_channel(plan_id, platform)

    def _by_utm(self, value: str):
        plan_id, account_id = link_services.resolve_promotion(self.workspace.pk, "", "", value)
        if plan_id is not None:
            return plan_id, account_id
        plans = self.plan_campaigns.get(value.strip().lower(), set())
        return (next(iter(plans)), None) if len(plans) == 1 else None

    def _platform_channel(self, plan_id, platform):
        code = PLATFORM_CHANNEL_TYPES.get(platform)
        if code is None:
            return None
        accounts = list(
            scoped(PlanChannel, self.workspace)
            .filter(plan_id=plan_id, channel_account__channel_type__code=code)
            .values_list("channel_account_id", flat=True)[:2]
        )
        return accounts[0] if len(accounts) == 1 else None


def _existing(workspace, fingerprints: list[str]) -> dict[str, Cost]:
    found = {}
    for start in range(0, len(fingerprints), BATCH):
        chunk = fingerprints[start : start + BATCH]
        # No ordering: with the model's ORDER BY, SQLite would scan by date instead of the index.
        costs = scoped(Cost, workspace).filter(fingerprint__in=chunk).order_by()
        found.update({cost.fingerprint: cost for cost in costs})
    return found


def _values(line: formats.Line) -> dict:
    return {
        "kind": line.kind, "spent_on": line.spent_on, "amount": line.amount, "currency": line.currency,
        "platform": line.platform, "account": line.account[:200], "campaign": line.campaign[:300],
        "ad_group": line.ad_group[:300], "impressions": line.impressions, "clicks": line.clicks,
        "conversions": line.conversions, "order_id": line.order_id, "order_amount": line.order_amount,
        "order_status": line.order_status[:40], "utm_campaign": line.utm_campaign[:100],
    }  # fmt: skip


def _duplicates(parsed: formats.Parsed) -> tuple[list[formats.Line], int]:
    """The file's lines with repeated keys removed; conflicting repeats become row errors."""
    first: dict[tuple, formats.Line] = {}
    duplicates = 0
    for line in parsed.lines:
        seen = first.get(line.key)
        if seen is None:
            first[line.key] = line
        elif _values(seen) == _values(line):
            duplicates += 1
        else:
            message = _("Same day, campaign and ad group (or order) as row %(row)d, with other figures.") % {
                "row": seen.row
            }
            parsed.errors.append(csvio.RowError(line.row, "", message))
    bad_rows = {error.row for error in parsed.errors}
    return [line for line in first.values() if line.row not in bad_rows], duplicates


def plan_import(workspace, parsed: formats.Parsed) -> dict:
    """What applying would do: per line its outcome, promotion and channel; nothing is written."""
    lines, duplicates = _duplicates(parsed)
    resolver = Resolver(workspace)
    existing = _existing(workspace, [line.fingerprint for line in lines])
    outcomes = []
    for line in lines:
        plan_id, account_id = resolver.resolve(line.platform, line.account, line.campaign, line.utm_campaign)
        current = existing.get(line.fingerprint)
        if current is None:
            outcome = "created"
        else:
            plan_id, account_id = plan_id or current.plan_id, account_id or current.channel_account_id
            same = all(
                getattr(current, name) == value for name, value in _values(line).items() if name in COMPARED
            )
            same = same and (current.plan_id, current.channel_account_id) == (plan_id, account_id)
            outcome = "unchanged" if same else "updated"
        outcomes.append((line, outcome, plan_id, account_id, current))
    return {"outcomes": outcomes, "duplicates": duplicates}


def _summary(parsed: formats.Parsed, planned: dict) -> dict:
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    unmapped: dict[tuple, dict] = {}
    totals: dict[str, str] = {}
    for line, outcome, plan_id, _account, _current in planned["outcomes"]:
        counts[outcome] += 1
        totals[line.currency] = str(csvio.Decimal(totals.get(line.currency, "0")) + line.amount)
        if plan_id is None:
            entry = unmapped.setdefault(
                (line.platform, line.account, line.campaign), {"rows": 0, "cost": "0"}
            )
            entry["rows"] += 1
            entry["cost"] = str(csvio.Decimal(entry["cost"]) + line.amount)
    preview = [
        {
            "row": line.row,
            "date": line.spent_on.isoformat(),
            "platform": line.platform,
            "account": line.account,
            "campaign": line.campaign,
            "ad_group": line.ad_group,
            "amount": str(line.amount),
            "currency": line.currency,
            "order_id": line.order_id,
            "outcome": outcome,
            "plan_id": plan_id,
            "channel_account_id": account_id,
        }
        for line, outcome, plan_id, account_id, _current in planned["outcomes"][:PREVIEW_LINES]
    ]
    return {
        "rows": len(parsed.lines) + len({e.row for e in parsed.errors if e.row > 1}),
        **counts,
        "duplicates": planned["duplicates"],
        "skipped_summary_rows": parsed.skipped,
        "error_rows": len({error.row for error in parsed.errors}),
        "cost_totals": totals,
        "unmapped_rows": sum(entry["rows"] for entry in unmapped.values()),
        "unmapped_campaigns": [
            {"platform": key[0], "account": key[1], "campaign": key[2], **entry}
            for key, entry in unmapped.items()
        ],
        "preview": preview,
    }


def _errors(parsed: formats.Parsed) -> list[dict]:
    ordered = sorted(parsed.errors, key=lambda error: (error.row, error.column))
    return [{"row": e.row, "column": e.column, "message": e.message} for e in ordered]


def preview_import(member, data: bytes, *, filename: str = "", currency: str | None = None) -> CostImport:
    """Parses and plans a file without applying it; the file is kept for ``apply_import``."""
    require(member, Capability.EXECUTE)
    workspace = member.workspace
    parsed = formats.parse(data, currency=currency or workspace.currency)
    planned = plan_import(workspace, parsed)
    cost_import = CostImport.unscoped.create(
        workspace=workspace,
        member=member if member.pk else None,
        filename=(filename or "")[:200],
        file_format=parsed.file_format,
        encoding=parsed.encoding,
        sha256=hashlib.sha256(data).hexdigest(),
        status=CostImport.Status.PREVIEWED,
        summary={**_summary(parsed, planned), "currency": currency or workspace.currency},
        errors=_errors(parsed),
        data=data,
    )
    return cost_import


def get_import(workspace, import_id) -> CostImport:
    return get_for(CostImport, workspace, import_id, queryset=scoped(CostImport, workspace).defer("data"))


def list_imports(workspace):
    return scoped(CostImport, workspace).defer("data")


@transaction.atomic
def apply_import(member, import_id, *, partial: bool = False) -> CostImport:
    """Applies a previewed file: whole (any row error: ``ImportFailed``, nothing written) or, with
    ``partial``, its valid rows. Applying twice is refused; importing the file again is harmless."""
    require(member, Capability.EXECUTE)
    workspace = member.workspace
    cost_import = get_for(
        CostImport, workspace, import_id, queryset=scoped(CostImport, workspace).select_for_update()
    )
    if cost_import.status != CostImport.Status.PREVIEWED or cost_import.data is None:
        raise Conflict(
            _("This import was applied already; upload the file again to re-import it."),
            code="already_applied",
        )
    parsed = formats.parse(
        bytes(cost_import.data), currency=cost_import.summary.get("currency") or workspace.currency
    )
    planned = plan_import(workspace, parsed)
    if parsed.errors and not partial:
        raise csvio.ImportFailed(parsed.errors)
    _write(workspace, cost_import, planned["outcomes"])
    cost_import.summary = {**_summary(parsed, planned), "currency": cost_import.summary.get("currency")}
    cost_import.errors = _errors(parsed)
    cost_import.status, cost_import.data = CostImport.Status.APPLIED, None
    cost_import.member = member if member.pk else cost_import.member
    cost_import.save()
    counts = {
        key: cost_import.summary[key]
        for key in ("created", "updated", "unchanged", "error_rows", "unmapped_rows")
    }
    audit.record(member, "costimport.applied", cost_import, counts)
    return cost_import


def _write(workspace, cost_import: CostImport, outcomes) -> None:
    new, changed = [], []
    for line, outcome, plan_id, account_id, current in outcomes:
        if outcome == "created":
            new.append(Cost(workspace=workspace, fingerprint=line.fingerprint, cost_import=cost_import,
                            plan_id=plan_id, channel_account_id=account_id, **_values(line)))  # fmt: skip
        elif outcome == "updated":
            for name, value in {
                **_values(line),
                "plan_id": plan_id,
                "channel_account_id": account_id,
            }.items():
                setattr(current, name, value)
            current.cost_import = cost_import
            changed.append(current)
    Cost.unscoped.bulk_create(new, batch_size=BATCH)
    fields = [*COMPARED, "plan_id", "channel_account_id", "cost_import", "updated_at"]
    Cost.unscoped.bulk_update(changed, fields, batch_size=BATCH)


def import_costs(
    member, data: bytes, *, filename: str = "", currency=None, dry_run=False, partial=False
) -> CostImport:
    """Preview, and unless ``dry_run`` apply, in one call (API, CLI)."""
    cost_import = preview_import(member, data, filename=filename, currency=currency)
    return cost_import if dry_run else apply_import(member, cost_import.pk, partial=partial)


# Cost mappings


def list_mappings(workspace):
    return scoped(CostMapping, workspace).select_related("plan", "channel_account")


def get_mapping(workspace, mapping_id) -> CostMapping:
    return get_for(CostMapping, workspace, mapping_id, queryset=list_mappings(workspace))


def _clean_mapping(workspace, data: dict) -> dict:
    cleaned = {}
    for name, limit in (("platform", 20), ("account", 200), ("campaign", 300)):
        if name in data:
            value = (data[name] or "").strip()
            if name != "account" and not value:
                raise ValidationFailed(fields={name: _("This field is required.")})
            if len(value) > limit:
                raise ValidationFailed(fields={name: _("At most %(count)d characters.") % {"count": limit}})
            cleaned[name] = value.lower() if name == "platform" else value
    if "plan_id" in data:
        cleaned["plan"] = get_for(Plan, workspace, data["plan_id"])
    if "channel_account_id" in data:
        pk = data["channel_account_id"]
        cleaned["channel_account"] = None if pk is None else get_for(ChannelAccount, workspace, pk)
    return cleaned


def create_mapping(
    member, *, platform: str, campaign: str, plan_id: int, account: str = "", channel_account_id=None
) -> CostMapping:
    """Saves a mapping and moves the unmapped costs it matches to its promotion."""
    data = {"platform": platform, "account": account, "campaign": campaign, "plan_id": plan_id,
            "channel_account_id": channel_account_id}  # fmt: skip
    mapping = records.create_record(
        member, CostMapping, _clean_mapping(member.workspace, data), capability=Capability.EXECUTE
    )
    remap_unmapped(member.workspace)
    return mapping


def update_mapping(member, mapping_id, **fields) -> CostMapping:
    unknown = sorted(set(fields) - {"platform", "account", "campaign", "plan_id", "channel_account_id"})
    if unknown:
        raise ValidationFailed(fields={name: _("Unknown field.") for name in unknown})
    data = _clean_mapping(member.workspace, fields)
    mapping = records.update_record(member, CostMapping, mapping_id, data, capability=Capability.EXECUTE)
    remap_unmapped(member.workspace)
    return mapping


def delete_mapping(member, mapping_id) -> None:
    records.delete_record(member, CostMapping, mapping_id, capability=Capability.ERASE)


def remap_unmapped(workspace) -> int:
    """Gives imported costs without a promotion the one their mapping now names; returns how many."""
    resolver = Resolver(workspace)
    moved = 0
    unmapped = scoped(Cost, workspace).filter(
        plan__isnull=True, kind__in=[Cost.Kind.AD_SPEND, Cost.Kind.AFFILIATE]
    )
    groups = unmapped.values_list("platform", "account", "campaign", "utm_campaign").distinct()
    for platform, account, campaign, utm_campaign in groups:
        plan_id, account_id = resolver.resolve(platform, account, campaign, utm_campaign)
        if plan_id is not None:
            same = unmapped.filter(
                platform=platform, account=account, campaign=campaign, utm_campaign=utm_campaign
            )
            changes = {"plan_id": plan_id, **({"channel_account_id": account_id} if account_id else {})}
            moved += same.update(**changes)
    return moved
