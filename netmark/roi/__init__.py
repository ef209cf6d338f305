"""Return on investment: costs, promotion evaluation and attribution (only attribution exists so far).

The app will own cost entries and imports, the evaluation of promotions against their expected
KPIs (ROI, ROAS / 投入产出比, CPA), multi-touch attribution, the marketing-mix model and budget advice.

Today it holds the attribution models alone, as pure functions over aggregated conversion paths,
with no models, no HTTP, no events written and no KPIs registered:

- ``attribution``: ``Path``, ``Journey``, ``paths_from_journeys``, the rule-based models (first
  touch, last touch, last non-direct, linear, time decay, position-based) and ``compare_models``;
- ``attribution_markov``: ``markov_credit`` and ``removal_effects`` (absorbing Markov chain, exact);
- ``attribution_shapley``: ``shapley_credit`` (exact) and ``sample_shapley_credit`` (permutations).
"""
