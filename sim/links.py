"""Links: how a change in one indicator propagates to another (DESIGN section 4).

A link ``from -> to`` is either an **elasticity** (a +10 % change in ``from`` gives a
+elasticity x 10 % change in ``to``) or **additive** (``to`` changes by ``factor`` times
the absolute change of ``from``, as a net increase follows the stock it counts).
Data packages declare identity links that always hold; scenarios add assumption links.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sim.messages import Message, Ref, msg
from sim.text import did_you_mean, kind_of, shown
from sim.yamlio import located
from sim.values import is_bounded_number

LINK_KEYS = ("from", "to", "elasticity", "additive", "note")
#: Largest |elasticity| or |additive factor| accepted.
MAX_LINK_FACTOR = 1e6


@dataclass(frozen=True)
class Link:
    """One propagation rule.

    Parameters
    ----------
    source, target : str
        Indicator ids (``from`` and ``to`` in files).
    elasticity : float, optional
        Relative response: ``to *= 1 + elasticity * (from_new / from_old - 1)``.
    additive : float, optional
        Absolute response: ``to += additive * (from_new - from_old)``.
    origin : str
        ``"data"`` for identity links of the package, ``"scenario"`` for assumptions.
    note : str
        Why the link holds, shown with the result.
    """

    source: str
    target: str
    elasticity: float | None = None
    additive: float | None = None
    origin: str = "scenario"
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The link as it is written in a file (canonical key order)."""
        out: dict[str, Any] = {"from": self.source, "to": self.target}
        if self.elasticity is not None:
            out["elasticity"] = self.elasticity
        if self.additive is not None:
            out["additive"] = self.additive
        if self.note:
            out["note"] = self.note
        return out


def parse_links(
    items: Any, indicator_ids: Sequence[str], where: str, origin: str, line_of=lambda path: None,
    file: str | None = None,
) -> tuple[list[Link], list[Message]]:
    """Read a list of link mappings; return the links and every problem found.

    Parameters
    ----------
    items : list of mapping
        As read from YAML.
    indicator_ids : sequence of str
        Known indicator ids.
    where : str
        The key the links are under, e.g. ``"links"``.
    origin : {"data", "scenario"}
    line_of : callable, optional
        Maps a path tuple such as ``("links", 0, "to")`` to a line number, or None.
    file : str, optional
        The file they are in, named before each place (``method.yaml: links[0].to``).

    Returns
    -------
    links : list of Link
    problems : list of Message
    """

    def at(*path: Any) -> Message:
        here = located((where, *path), line_of((where, *path)))
        return msg("files.in_file", name=file, where=here) if file else here

    if items is None:
        return [], []
    if not isinstance(items, list):
        return [], [msg("links.not_list", where=at(), kind=kind_of(items))]
    links, problems = [], []
    first_at: dict[tuple[str, str], Message] = {}
    for index, item in enumerate(items):
        if not isinstance(item, Mapping):
            problems.append(msg("links.not_mapping", where=at(index), kind=kind_of(item)))
            continue
        item_problems = []
        for key in item:
            if key not in LINK_KEYS:
                item_problems.append(msg("links.unknown_key", where=at(index, key), name=shown(key),
                                         hint=did_you_mean(key, LINK_KEYS)))
        ends = {}
        for key in ("from", "to"):
            value = item.get(key)
            if value is None:
                item_problems.append(msg("links.end_required", where=at(index), name=key))
            elif value not in indicator_ids:
                item_problems.append(msg("links.unknown_indicator", where=at(index, key), value=shown(value),
                                         hint=did_you_mean(value, indicator_ids)))
            else:
                ends[key] = value
        if ends.get("from") is not None and ends.get("from") == ends.get("to"):
            item_problems.append(msg("links.to_itself", where=at(index), indicator=Ref("indicator", ends["from"])))
        kinds = [k for k in ("elasticity", "additive") if k in item]
        if len(kinds) != 1:
            item_problems.append(msg("links.one_kind", where=at(index), count=len(kinds)))
        else:
            number = item[kinds[0]]
            if not is_bounded_number(number, MAX_LINK_FACTOR):
                item_problems.append(msg("links.factor_out_of_range", where=at(index, kinds[0]), value=shown(number),
                                         limit=MAX_LINK_FACTOR))
        note = item.get("note", "")
        if not isinstance(note, str):
            item_problems.append(msg("links.note_not_text", where=at(index, "note"), kind=kind_of(note)))
        pair = (ends.get("from"), ends.get("to"))
        if None not in pair and pair in first_at:
            item_problems.append(msg("links.listed_twice", at=at(index), source=Ref("indicator", pair[0]),
                                     target=Ref("indicator", pair[1]),
                                     first=first_at[pair]))
        elif None not in pair:
            first_at[pair] = at(index)
        if item_problems:
            problems.extend(item_problems)
            continue
        links.append(
            Link(
                source=ends["from"],
                target=ends["to"],
                elasticity=float(item["elasticity"]) if "elasticity" in item else None,
                additive=float(item["additive"]) if "additive" in item else None,
                origin=origin,
                note=note,
            )
        )
    return links, problems


def link_order(links: Iterable[Link]) -> tuple[list[Link], list[str]] | tuple[None, list[str]]:
    """Order links so each is applied after every link feeding its source.

    A depth-first search with an explicit stack, so that a chain of any length (a
    package may declare thousands of links) needs no recursion.

    Returns
    -------
    ordered : list of Link, or None when the graph has a cycle
    cycle : list of str
        The indicator ids along one cycle (empty when acyclic).
    """
    links = list(links)
    targets_of: dict[str, list[str]] = {}
    for link in links:
        targets_of.setdefault(link.source, []).append(link.target)
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    order: list[str] = []
    for root in list(targets_of):
        if root in state:
            continue
        state[root] = 1
        path = [root]
        pending = [iter(targets_of.get(root, []))]
        while pending:
            nxt = next(pending[-1], None)
            if nxt is None:
                node = path.pop()
                pending.pop()
                state[node] = 2
                order.append(node)
            elif state.get(nxt) == 1:
                return None, path[path.index(nxt):] + [nxt]
            elif nxt not in state:
                state[nxt] = 1
                path.append(nxt)
                pending.append(iter(targets_of.get(nxt, [])))
    position = {node: i for i, node in enumerate(reversed(order))}
    return sorted(links, key=lambda link: position[link.source]), []
