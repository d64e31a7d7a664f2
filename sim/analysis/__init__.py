"""Planner analyses: goal-seek, lever ranking and robustness (Monte Carlo).

- :mod:`sim.analysis.goalseek`: the least change of a zone's indicators that reaches a
  target (rank, overtake a zone, score), verified with the engine;
- :mod:`sim.analysis.levers`: the score gain of a standard step on each indicator;
- :mod:`sim.analysis.robustness`: rank probabilities under data noise, weight noise
  and the normalisation choice, and the stability of the entropy weights;
- :mod:`sim.analysis.batch`: a scenario as a batched numpy model (shared by the three);
- :mod:`sim.analysis.charts`: Altair charts for the app's analysis tabs.

Each analysis is a pure core on arrays plus a validating wrapper that takes ids,
a data package and a scenario, and raises :class:`~sim.errors.UsageError` for bad input.
"""
