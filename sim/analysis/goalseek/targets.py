"""Goal-seek targets: what the zone must reach, and by how much a table meets it."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.engine import Result
from sim.errors import UsageError
from sim.text import did_you_mean

TARGET_KINDS = ("rank", "overtake", "score")


@dataclass(frozen=True)
class Target:
    """What the zone must reach.

    Attributes
    ----------
    kind : {"rank", "overtake", "score"}
    rank : int or None
        For ``rank``: rank k or better (1 = best).
    rival : str or None
        For ``overtake``: the zone to finish strictly ahead of.
    score : float or None
        For ``score``: points out of 100 to reach or exceed.
    """

    kind: str
    rank: int | None = None
    rival: str | None = None
    score: float | None = None

    def describe(self) -> str:
        if self.kind == "rank":
            return f"rank {self.rank}" + (" or better" if self.rank and self.rank > 1 else "")
        if self.kind == "overtake":
            return f"overtake {self.rival}"
        return f"score {self.score:g} or more"

    def text(self) -> str:
        """The command-line form, e.g. ``rank:3``."""
        value = self.rank if self.kind == "rank" else self.rival if self.kind == "overtake" else f"{self.score:g}"
        return f"{self.kind}:{value}"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind}
        if self.kind == "rank":
            out["rank"] = self.rank
        elif self.kind == "overtake":
            out["zone"] = self.rival
        else:
            out["score"] = self.score
        return out


def parse_target(text: str | Target, zones: Sequence[str], zone: str | None = None) -> Target:
    """Read ``rank:K``, ``overtake:ZONE`` or ``score:S`` and check it against the zones.

    Raises
    ------
    UsageError
        Bad syntax, a rank outside 1..m, an unknown rival (with a suggestion), the
        zone itself as rival, a non-finite score.

    Examples
    --------
    >>> parse_target("rank:3", ["a", "b", "c"])
    Target(kind='rank', rank=3, rival=None, score=None)
    """
    zones = list(zones)
    if isinstance(text, Target):
        target = text
    else:
        syntax = f"target {text!r} is not understood; write rank:K, overtake:ZONE or score:S (e.g. rank:3)"
        if not isinstance(text, str) or ":" not in text:
            raise UsageError(syntax)
        kind, _, value = (part.strip() for part in text.partition(":"))
        kind = kind.lower()
        if kind not in TARGET_KINDS:
            raise UsageError(f"target kind {kind!r} is not allowed{did_you_mean(kind, TARGET_KINDS)}; {syntax}")
        if kind == "rank":
            try:
                target = Target("rank", rank=int(value))
            except ValueError:
                raise UsageError(f"target {text!r}: the rank must be a whole number, e.g. rank:3") from None
        elif kind == "overtake":
            target = Target("overtake", rival=value)
        else:
            try:
                target = Target("score", score=float(value))
            except ValueError:
                raise UsageError(f"target {text!r}: the score must be a number of points, e.g. score:65") from None
    if target.kind == "rank" and not (target.rank is not None and 1 <= target.rank <= len(zones)):
        raise UsageError(f"target rank {target.rank} is out of range; allowed: 1 to {len(zones)} (the number of zones)")
    if target.kind == "overtake":
        if target.rival not in zones:
            raise UsageError(f"target: unknown zone {target.rival!r}{did_you_mean(target.rival, zones)}")
        if target.rival == zone:
            raise UsageError(f"target: a zone cannot overtake itself ({zone!r})")
    if target.kind == "score" and not (target.score is not None and math.isfinite(target.score)):
        raise UsageError(f"target score {target.score!r} must be a finite number of points")
    return target


def target_margins(scores: np.ndarray, zone_row: int, target: Target, zones: Sequence[str]) -> np.ndarray:
    """By how many points each row of ``scores`` meets the target (negative: misses it).

    Parameters
    ----------
    scores : ndarray, shape (B, m)
    zone_row : int
    target : Target
    zones : sequence of str
        Zone ids in column order.

    Returns
    -------
    ndarray, shape (B,)
        ``rank``: the zone's score minus the k-th best score among the others
        (>= 0 means rank k or better); ``overtake``: minus the rival's score;
        ``score``: minus the target score.
    """
    own = scores[:, zone_row]
    if target.kind == "score":
        return own - float(target.score)
    if target.kind == "overtake":
        return own - scores[:, list(zones).index(target.rival)]
    others = np.delete(scores, zone_row, axis=1)
    k = int(target.rank)
    if k > others.shape[1]:
        return np.full(own.shape, np.inf)
    kth_best = -np.partition(-others, k - 1, axis=1)[:, k - 1]
    return own - kth_best


def target_met(result: Result, zone: str, target: Target) -> bool:
    """Whether an engine :class:`Result` meets the target (the engine's own ranks)."""
    scores, ranks = result.scored.scores, result.scored.ranks
    if target.kind == "rank":
        return int(ranks[zone]) <= int(target.rank)
    if target.kind == "overtake":
        return bool(scores[zone] > scores[target.rival])
    return bool(scores[zone] >= target.score)
