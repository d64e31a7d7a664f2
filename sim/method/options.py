"""The method options a data package or a scenario may choose (DESIGN section 2)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from sim.errors import SimError
from sim.messages import Message, msg
from sim.method.entropy import NORMALIZATIONS
from sim.text import options_text, shown
from sim.values import is_bounded_number

WEIGHT_MODES = ("recompute", "baseline", "equal", "published")
GOALPOSTS = ("scenario", "baseline")
#: Largest explicit weight accepted (weights are scaled to sum 1 anyway).
MAX_WEIGHT = 1e12
METHOD_KEYS = ("normalization", "score_normalization", "weights", "goalposts")


@dataclass(frozen=True)
class Method:
    """How a table is normalised, weighted and scored.

    Parameters
    ----------
    normalization : {"minmax", "minmax-shift", "ratio"}
        Normalisation for the entropy weights (and the scores, unless
        ``score_normalization`` says otherwise).
    score_normalization : str or None
        Normalisation for the scores; None means the same as ``normalization``.
    weights : {"recompute", "baseline", "equal", "published"} or tuple of (id, weight)
        Where the weights come from; an explicit mapping is stored as a sorted tuple
        of pairs so that a Method stays hashable (use :attr:`explicit_weights`).
    goalposts : {"scenario", "baseline"}
        Min and max from the scored data, or fixed at the baseline year's values.
    """

    normalization: str = "minmax"
    score_normalization: str | None = None
    weights: str | tuple[tuple[str, float], ...] = "recompute"
    goalposts: str = "scenario"

    @property
    def scoring(self) -> str:
        """The normalisation used for scores."""
        return self.score_normalization or self.normalization

    @property
    def explicit_weights(self) -> dict[str, float] | None:
        """The explicit ``{indicator: weight}`` mapping, or None for a named mode."""
        return None if isinstance(self.weights, str) else dict(self.weights)

    def to_dict(self) -> dict[str, Any]:
        """The method as plain data, with ``score_normalization`` spelt out."""
        weights = self.weights if isinstance(self.weights, str) else dict(self.weights)
        return {
            "normalization": self.normalization,
            "score_normalization": self.scoring,
            "weights": weights,
            "goalposts": self.goalposts,
        }

    def updated(self, **changes: Any) -> Method:
        """A copy with some options changed (validated like :func:`method_from_mapping`)."""
        return method_from_mapping(changes, base=self)


def method_from_mapping(
    mapping: Mapping[str, Any] | None, base: Method | None = None, where: str | Callable[..., Message] = "method"
) -> Method:
    """Build a :class:`Method` from plain data, on top of ``base``.

    Parameters
    ----------
    mapping : mapping or None
        Keys from ``normalization``, ``score_normalization``, ``weights``, ``goalposts``.
    base : Method, optional
        Options not in ``mapping`` come from here (default: DESIGN section 2 defaults).
    where : str or callable
        Where the options are, for error messages: a path prefix (``"method.yaml"``), or
        ``where(*keys)`` giving the place of a key (a scenario file's line and path).

    Raises
    ------
    SimError
        Listing every unknown key and bad value.
    """
    base = base or Method()
    if mapping is None:
        return base
    at = where if callable(where) else (lambda *keys: msg("files.at_path", path=".".join((where, *map(str, keys)))))
    if not isinstance(mapping, Mapping):
        raise SimError(msg("method.options_not_mapping", where=at(), kind=type(mapping).__name__))
    problems = []
    values: dict[str, Any] = {}
    for key, value in mapping.items():
        if key not in METHOD_KEYS:
            problems.append(msg("method.unknown_option", where=at(), name=shown(key), options=options_text(METHOD_KEYS)))
        elif key in ("normalization", "score_normalization"):
            if value is None and key == "score_normalization":
                values[key] = None
            elif value not in NORMALIZATIONS:
                problems.append(msg("method.not_allowed", where=at(key), value=shown(value),
                                    options=options_text(NORMALIZATIONS)))
            else:
                values[key] = value
        elif key == "goalposts":
            if value not in GOALPOSTS:
                problems.append(msg("method.not_allowed", where=at("goalposts"), value=shown(value),
                                    options=options_text(GOALPOSTS)))
            else:
                values[key] = value
        else:
            weights, weight_problems = _parse_weights(value, at)
            problems.extend(weight_problems)
            values[key] = weights
    if problems:
        raise SimError(problems)
    return replace(base, **values)


def _parse_weights(value: Any, at: Callable[..., Message]) -> tuple[Any, list[Message]]:
    if isinstance(value, str):
        if value in WEIGHT_MODES:
            return value, []
        return None, [msg("method.weights_not_allowed", where=at("weights"), value=shown(value),
                          options=options_text(WEIGHT_MODES))]
    if isinstance(value, Mapping):
        problems = []
        pairs = []
        for indicator, weight in value.items():
            if not is_bounded_number(weight, MAX_WEIGHT) or weight < 0:
                problems.append(msg("method.weight_not_allowed", where=at("weights", indicator), value=shown(weight),
                                    limit=MAX_WEIGHT))
            else:
                pairs.append((str(indicator), float(weight)))
        if not problems and sum(w for _, w in pairs) <= 0:
            problems.append(msg("method.weights_sum_zero", where=at("weights")))
        return tuple(sorted(pairs)), problems
    return None, [msg("method.weights_expected", where=at("weights"), options=options_text(WEIGHT_MODES),
                      value=shown(value))]
