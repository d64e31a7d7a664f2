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
