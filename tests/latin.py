"""Find Latin words that leak into Chinese text (issue 11), outside a documented allowlist.

The allowlist is data: ``tests/zh_latin_allowlist.yaml``. Used by the browser test that
reads every tab in Chinese and by the command-line tests of ``--lang zh`` output.

Examples
--------
>>> foreign_words("苏南 R&D经费 +100%，情景 baseline 的 min-max 得分")
['baseline']
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import yaml

ALLOWLIST = Path(__file__).with_name("zh_latin_allowlist.yaml")
#: A Latin word: letters, with inner digits, _, & or - (R&D, SHA-256, min-max, rd_spending).
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*(?:[&-][A-Za-z0-9_]+)*")
#: What a person typed or a message quotes from a file: shown as written, never translated
#: (quoted spans such as 「interventions[0].by」 or 'rd_spendng', option and command names, file names).
_TYPED = re.compile(r"「[^」]*」|'[^'\n]*'|\"[^\"\n]*\"|--[a-z][a-z-]*|zonesim [a-z-]+|[\w/.-]+\.(?:csv|yaml|yml|xlsx)\b")


@cache
def allowlist() -> tuple[frozenset[str], tuple[str, ...]]:
    """The allowed words and phrases."""
    data = yaml.safe_load(ALLOWLIST.read_text(encoding="utf-8"))
    return frozenset(data["words"]), tuple(sorted(data["phrases"], key=len, reverse=True))


def foreign_words(text: str) -> list[str]:
    """Latin words in ``text`` that the allowlist does not allow, in order of appearance."""
    words, phrases = allowlist()
    for phrase in phrases:
        text = text.replace(phrase, " ")
    return [w for w in _WORD.findall(text) if w not in words]


def untyped(text: str, *typed: str) -> str:
    """``text`` without the strings in ``typed`` (paths, names a person wrote) and the typed or quoted spans.

    Examples
    --------
    >>> untyped("干预「interventions[0]」（第 5 行）", "x.yaml")
    '干预 （第 5 行）'
    """
    for item in typed:
        text = text.replace(item, " ")
    return _TYPED.sub(" ", text)
