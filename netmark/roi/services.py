"""The roi app's public door: costs, currency rates, cost imports and mappings, promotion
evaluation, channel performance, evaluation records and lessons.

Re-exports ``costs.py`` (manual costs, people time, totals), ``rates.py`` (currency rates,
conversion), ``imports.py`` (file imports, cost mappings), ``evaluation.py`` (expected against
actual, ROI / ROAS / CPA, channels), ``lessons.py`` (evaluation records) and ``content_credit.py``
(conversions and revenue credited to tagged content, e.g. an email campaign's variants). Import them
from here.
"""

from netmark.core.scoping import get_for, scoped
from netmark.planning.models import Plan
from netmark.roi.content_credit import (  # noqa: F401 - re-exported
    DEFAULT_MODEL as DEFAULT_ATTRIBUTION_MODEL,
)
from netmark.roi.content_credit import MODELS as ATTRIBUTION_MODELS  # noqa: F401 - re-exported
from netmark.roi.content_credit import ContentCredit, content_credit  # noqa: F401 - re-exported
from netmark.roi.costs import (  # noqa: F401 - re-exported
    MANUAL_KINDS,
    Totals,
    create_cost,
    delete_cost,
    get_cost,
    list_costs,
    total,
    total_by,
    update_cost,
)
from netmark.roi.evaluation import channel_performance, evaluate_plan, status_of  # noqa: F401 - re-exported
from netmark.roi.imports import (  # noqa: F401 - re-exported
    apply_import,
    create_mapping,
    delete_mapping,
    get_import,
    get_mapping,
    import_costs,
    list_imports,
    list_mappings,
    preview_import,
    remap_unmapped,
    update_mapping,
)
from netmark.roi.journeys import model_labels  # noqa: F401 - re-exported
from netmark.roi.lessons import (  # noqa: F401 - re-exported
    create_due_evaluations,
    create_plan_evaluations,
    get_evaluation,
    lessons_like,
    list_evaluations,
    occurrence_trend,
    plain,
    similar_lessons,
    write_lessons,
)
from netmark.roi.rates import (  # noqa: F401 - re-exported
    Converter,
    convert_amount,
    create_rate,
    delete_rate,
    get_rate,
    list_rates,
    update_rate,
)


def get_plan(workspace, plan_id) -> Plan:
    return get_for(Plan, workspace, plan_id)


def plans_for_costs(workspace):
    return scoped(Plan, workspace).order_by("-starts_on", "name")


def evaluate_plan_for(workspace, plan_id, **period) -> dict:
    return evaluate_plan(get_plan(workspace, plan_id), **period)
