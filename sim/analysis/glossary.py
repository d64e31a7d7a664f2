"""The glossary of the analysis tabs: technical terms in plain words, in Chinese and English.

The text is data (``sim/locale/glossary.yaml``): each term is a key ``<id>`` (the term,
synonyms separated by "、" or ", ") and a key ``<id>_means`` (what it means), in the
order shown. The app draws it on every analysis tab (``ui/glossary.py``).

Examples
--------
>>> dict(glossary("zh"))["自助法"][:8]
'检验权重是否稳定'
"""

from __future__ import annotations

from sim.messages import catalogue, text

NAMESPACE = "glossary"
_MEANS = "_means"


def term_ids() -> list[str]:
    """The ids of the terms, in the order of the file."""
    prefix = NAMESPACE + "."
    keys = [key[len(prefix):] for key in catalogue() if key.startswith(prefix)]
    return [key for key in keys if not key.endswith(_MEANS)]


def glossary(lang: str = "en", ids: list[str] | None = None) -> list[tuple[str, str]]:
    """Every (term, meaning) in ``lang``, in the order of the file (or of ``ids``)."""
    return [(term(key, lang), text(f"{NAMESPACE}.{key}{_MEANS}", lang)) for key in (ids or term_ids())]


def term(key: str, lang: str = "en") -> str:
    """The term ``key`` in ``lang`` (with its synonyms)."""
    return text(f"{NAMESPACE}.{key}", lang)

