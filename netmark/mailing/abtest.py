"""A/B tests: the winner decision as a pure function over counts, and the adapter that fills them.

``decide(counts, metric=..., alpha=..., control=..., fallback=...)`` takes
``{variant: Counts(sent, opens, clicks)}`` and names the variant with the best rate when a
two-proportion z-test against every other variant gives ``p < alpha / (k - 1)`` (Bonferroni over
the k - 1 comparisons); otherwise it says there is no significant winner and picks ``fallback``
(the user's choice) or the control. Opens are human opens only: machine opens (privacy proxies,
scanners) are the tracking helper's to flag, and ``engagement_source`` is where its counts plug in.
"""

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass

OPENS, CLICKS = "opens", "clicks"


@dataclass(frozen=True)
class Counts:
    sent: int
    opens: int = 0  # human opens (unique recipients)
    clicks: int = 0  # unique recipients who clicked

    def rate(self, metric: str) -> float:
        hits = self.opens if metric == OPENS else self.clicks
        return hits / self.sent if self.sent else 0.0


@dataclass(frozen=True)
class Decision:
    winner: str
    significant: bool
    p_value: float | None
    metric: str
    rates: dict[str, float]
    reason: str

    def as_dict(self) -> dict:
        return asdict(self)


def two_proportion_p(hits_a: int, n_a: int, hits_b: int, n_b: int) -> float:
    """Two-sided p-value of the pooled two-proportion z-test (1.0 when it cannot be computed)."""
    if n_a <= 0 or n_b <= 0:
        return 1.0
    pooled = (hits_a + hits_b) / (n_a + n_b)
    variance = pooled * (1 - pooled) * (1 / n_a + 1 / n_b)
    if variance <= 0:
        return 1.0
    z = (hits_a / n_a - hits_b / n_b) / math.sqrt(variance)
    return math.erfc(abs(z) / math.sqrt(2))


def decide(
    counts: Mapping[str, Counts],
    *,
    metric: str = OPENS,
    alpha: float = 0.05,
    control: str | None = None,
    fallback: str = "",
) -> Decision:
    """The winner of an A/B test from its counts (see the module docstring)."""
    if metric not in (OPENS, CLICKS):
        raise ValueError(f"metric must be {OPENS!r} or {CLICKS!r}")
    if not counts:
        raise ValueError("an A/B test needs at least one variant")
    keys = sorted(counts)
    control = control if control in counts else keys[0]
    rates = {key: counts[key].rate(metric) for key in keys}
    default = fallback if fallback in counts else control
    if len(keys) < 2:
        return Decision(default, False, None, metric, rates, "one variant only")
    best = max(keys, key=lambda key: (rates[key], key == control))
    hits = (lambda c: c.opens) if metric == OPENS else (lambda c: c.clicks)
    others = [key for key in keys if key != best]
    p_values = [
        two_proportion_p(hits(counts[best]), counts[best].sent, hits(counts[o]), counts[o].sent)
        for o in others
    ]
    worst_p = max(p_values)
    beats_all = all(rates[best] > rates[o] for o in others)
    if beats_all and worst_p < alpha / len(others):
        return Decision(best, True, worst_p, metric, rates, "significant")
    return Decision(default, False, worst_p, metric, rates, "no significant winner")


# The adapter: counts of a real campaign.


def campaign_counts(campaign) -> dict[str, Counts]:
    """Per tested variant: messages sent (the recipient rows), messages a person opened and messages
    a person clicked in (the tracking events; machine opens and scanner clicks never count)."""
    from netmark.mailing import events  # noqa: PLC0415 - keeps the decision above free of the ORM
    from netmark.mailing.campaign_models import Recipient  # noqa: PLC0415

    sent: dict[str, int] = {variant.key: 0 for variant in campaign.variants.all()}
    rows = Recipient.unscoped.filter(campaign_id=campaign.pk, state=Recipient.State.SENT).exclude(variant="")
    for (key,) in rows.values_list("variant").order_by():
        sent[key] = sent.get(key, 0) + 1
    engagement = events.campaign_counts(campaign.workspace_id, campaign.pk)
    counts = {}
    for key, n in sent.items():
        seen = engagement.get(key, {})
        counts[key] = Counts(n, seen.get("human_opens", 0), seen.get("human_clickers", 0))
    return counts


def split(count: int, percent: int, variants: list[str]) -> list[str]:
    """Variant per position of a shuffled audience: the first ``percent`` % spread evenly over the
    variants, the rest '' (held for the winner). With ``percent`` 0 everyone gets a variant."""
    if not variants:
        return [""] * count
    tested = count if percent <= 0 else max(len(variants), round(count * percent / 100))
    tested = min(tested, count)
    return [variants[i % len(variants)] for i in range(tested)] + [""] * (count - tested)
