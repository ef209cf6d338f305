"""Return on investment: costs, promotion evaluation and attribution.

The app owns cost lines (ad spend and affiliate commissions imported from platform exports, manual
costs, people time), currency rates, cost imports and mappings, the evaluation of promotions against
their expected KPIs (ROI, ROAS / 投入产出比, CPA, cost per lead, per channel), channel performance,
and evaluation records with their lessons (docs/roi.md).

Public services (``services``): costs, rates, imports and mappings, ``evaluate_plan``,
``channel_performance``, evaluation records and lessons. KPIs registered: ``cost``, ``ad_spend``,
``affiliate_commission``, ``people_cost``, ``people_hours``, ``ad_impressions``, ``ad_clicks``,
``ad_conversions``, ``affiliate_sales``, ``roi``, ``roas``, ``cpa``, ``cost_per_lead``. No events
are written. Job: ``tasks.create_due_evaluations`` (hourly).

Attribution, as pure functions over aggregated conversion paths:

- ``attribution``: ``Path``, ``Journey``, ``paths_from_journeys``, the rule-based models (first
  touch, last touch, last non-direct, linear, time decay, position-based) and ``compare_models``;
- ``attribution_markov``: ``markov_credit`` and ``removal_effects`` (absorbing Markov chain, exact);
- ``attribution_shapley``: ``shapley_credit`` (exact) and ``sample_shapley_credit`` (permutations).
"""
