"""Goal-seek targets: what the zone must reach, and by how much a table meets it."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.engine import Result
from sim.errors import UsageError
from sim.messages import Message, Ref, msg
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

    def describe(self) -> Message:
        """The target in words (``rank 3 or better``, ``第 3 名或更好``), the rival as a name."""
        if self.kind == "rank":
            return msg("analysis.target_rank1") if self.rank == 1 else msg("analysis.target_rank", rank=self.rank)
        if self.kind == "overtake":
            return msg("analysis.target_overtake", zone=Ref("zone", str(self.rival)))
        return msg("analysis.target_score", score=f"{self.score:g}")

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
        syntax = msg("analysis.target_syntax", text=repr(text))
        if not isinstance(text, str) or ":" not in text:
            raise UsageError(syntax)
        kind, _, value = (part.strip() for part in text.partition(":"))
        kind = kind.lower()
        if kind not in TARGET_KINDS:
            raise UsageError(msg("analysis.target_kind_unknown", kind=repr(kind),
                                 hint=did_you_mean(kind, TARGET_KINDS), syntax=syntax))
        if kind == "rank":
            try:
                target = Target("rank", rank=int(value))
            except ValueError:
                raise UsageError(msg("analysis.target_rank_not_whole", text=repr(text))) from None
        elif kind == "overtake":
            target = Target("overtake", rival=value)
        else:
            try:
                target = Target("score", score=float(value))
            except ValueError:
                raise UsageError(msg("analysis.target_score_not_number", text=repr(text))) from None
    if target.kind == "rank" and not (target.rank is not None and 1 <= target.rank <= len(zones)):
        raise UsageError(msg("analysis.target_rank_out_of_range", rank=target.rank, most=len(zones)))
    if target.kind == "overtake":
        if target.rival not in zones:
            raise UsageError(msg("analysis.target_unknown_rival", zone=repr(target.rival),
                                 hint=did_you_mean(target.rival, zones)))
        if target.rival == zone:
            raise UsageError(msg("analysis.target_self", zone=Ref("zone", str(zone))))
    if target.kind == "score" and not (target.score is not None and math.isfinite(target.score)):
        raise UsageError(msg("analysis.target_score_not_finite", score=repr(target.score)))
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
