"""Planner analyses: goal-seek, lever ranking and robustness (Monte Carlo).

- :mod:`sim.analysis.goalseek`: the least change of a zone's indicators that reaches a
  target (rank, overtake a zone, score), verified with the engine;
- :mod:`sim.analysis.levers`: the score gain of a standard step on each indicator;
- :mod:`sim.analysis.robustness`: rank probabilities under data noise, weight noise
  and the normalisation choice, and the stability of the entropy weights;
- :mod:`sim.analysis.options`: values the three share (percentages, ids, seeds);
- :mod:`sim.analysis.wording`, :mod:`sim.analysis.lever_text`: their text in Chinese or
  English (the catalogue's ``analysis.yaml`` and ``sure.yaml``), for the command line and
  the app alike; :mod:`sim.analysis.glossary`: the technical terms in plain words;
- :mod:`sim.analysis.views`: the app's tables and sentences;
- :mod:`sim.analysis.charts`: Altair charts for the app's analysis tabs.

Each analysis is a pure core on arrays plus a validating wrapper that takes ids,
a data package and a scenario, and raises :class:`~sim.errors.UsageError` for bad input.
None of them applies interventions, links or rounding itself: they compile the
scenario with the engine (:func:`sim.engine.analysis_model`) and score their variants
through it (:meth:`sim.engine.CompiledScenario.finish` and ``score``).
"""
