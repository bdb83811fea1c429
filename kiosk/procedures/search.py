"""Search of the catalog as a citizen types: forgiving normalisation and word-prefix
matching in Arabic, French and Tamazight (Tifinagh) at once.

The index is built from plain ``(id, [(text, weight), ...])`` tuples, the texts of an
entry in every language (a citizen may search in French on an Arabic screen), so it
does not depend on the catalog model. Every query word must begin a word of the entry;
entries are ranked by the weights of the texts the words were found in (title 3,
agency or category 2, keywords 2, summary 1), then by the order they were given in. ``index_for(catalog)`` adapts a loaded catalog
(duck-typed) and keeps its index.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable
from functools import lru_cache

TITLE = 3
AGENCY = 2
CATEGORY = 2
KEYWORDS = 2
SUMMARY = 1

_ARABIC_MARKS = {c: None for c in range(0x064B, 0x0660)} | {0x0670: None, 0x0640: None}
# Applied after NFKD, which already splits أ إ آ ؤ ئ into a base letter and a hamza or
# madda mark (U+0653-U+0655) that the marks table drops.
_FOLD = str.maketrans({
    "ٱ": "ا", "ى": "ي", "ة": "ه", "ی": "ي", "ې": "ي", "ک": "ك", "گ": "ك", "ڭ": "ك", "ڤ": "ف",
    "ہ": "ه", "ە": "ه",
    "œ": "oe", "æ": "ae", "ø": "o", "đ": "d", "ł": "l", "ı": "i",
    # Tifinagh: the labialisation mark and the joiner are dropped, and so is the schwa ⴻ,
    # often left out in writing (ⵜⵉⴽⵍⵉ / ⵜⵉⴽⴻⵍⵉ).
    "\u2d6f": None, "\u2d7f": None, "\u2d3b": None,
    # Eastern Arabic and Persian digits read as 0-9.
    **{chr(0x0660 + i): str(i) for i in range(10)},
    **{chr(0x06F0 + i): str(i) for i in range(10)},
})
_SEPARATORS = re.compile(r"[^\w]+|_+")
# Arabic prefixes stuck to a word: the article and its usual companions.
_ARTICLES = ("وال", "بال", "فال", "كال", "لل", "ال")


def normalise(text: str) -> str:
    """Lower case, without accents, tashkeel, tatweel, hamza seats or ⵯ/ⴻ; Arabic letter
    variants unified; punctuation and spaces collapsed to one space."""
    # ⵯ has a compatibility decomposition to ⵡ: drop it before NFKD.
    text = unicodedata.normalize("NFKD", text.replace("\u2d6f", "")).casefold()
    text = "".join(c for c in text if unicodedata.category(c)[0] != "M")
    text = text.translate(_ARABIC_MARKS).translate(_FOLD)
    return " ".join(_SEPARATORS.sub(" ", text).split())


def _words(text: str) -> set[str]:
    words = set()
    for w in normalise(text).split():
        words.add(w)
        for article in _ARTICLES:
            if w.startswith(article) and len(w) > len(article) + 1:
                words.add(w[len(article):])
                break
    return words


class Index:
    """Entries searchable by word prefixes. ``entries``: ``(id, [(text, weight), ...])``
    in the order ties are shown (e.g. sorted by title in the screen's language)."""

    def __init__(self, entries: Iterable[tuple[str, Iterable[tuple[str, int]]]]):
        self.ids: list[str] = []
        postings: dict[str, dict[int, int]] = {}
        for pos, (entry_id, texts) in enumerate(entries):
            self.ids.append(entry_id)
            for text, weight in texts:
                for w in _words(text or ""):
                    best = postings.setdefault(w, {})
                    if weight > best.get(pos, 0):
                        best[pos] = weight
        self._vocabulary = sorted(postings)
        self._postings = [postings[w] for w in self._vocabulary]
        self._prefix = lru_cache(maxsize=512)(self._prefix_uncached)

    def __len__(self) -> int:
        return len(self.ids)

    def _prefix_uncached(self, prefix: str) -> dict[int, int]:
        """Entry position -> best weight of a word starting with ``prefix``."""
        found: dict[int, int] = {}
        vocabulary = self._vocabulary
        i = bisect_left(vocabulary, prefix)
        while i < len(vocabulary) and vocabulary[i].startswith(prefix):
            for pos, weight in self._postings[i].items():
                if weight > found.get(pos, 0):
                    found[pos] = weight
            i += 1
        return found

    def search(self, query: str, limit: int | None = None) -> list[str]:
        """Ids of the entries where every query word begins a word, best first."""
        words = sorted(set(normalise(query).split()), key=len, reverse=True)
        if not words:
            return []
        scores: dict[int, int] | None = None
        for w in words:
            hits = self._prefix(w)
            if scores is None:
                scores = dict(hits)
            else:
                scores = {pos: s + hits[pos] for pos, s in scores.items() if pos in hits}
            if not scores:
                return []
        ranked = sorted(scores, key=lambda pos: (-scores[pos], pos))
        if limit is not None:
            ranked = ranked[:limit]
        return [self.ids[pos] for pos in ranked]


def _all(text) -> tuple[str, ...]:
    """Every language of a catalog text (``Text.all()``), or a plain string as is."""
    if text is None:
        return ()
    if isinstance(text, str):
        return (text,)
    return tuple(text.all())


def catalog_entries(catalog, lang: str | None = None) -> list[tuple[str, list[tuple[str, int]]]]:
    """``(id, [(text, weight)])`` for every procedure of a catalog: title, agency and
    category names, summary and keywords (when the catalog has them) in all languages.
    Ties are shown in catalog order, or by title in ``lang`` when given. Duck-typed: the
    catalog needs ``procedures``, ``agency(id)`` and ``category(id)``."""
    entries = []
    for proc in catalog.procedures:
        texts = [(t, TITLE) for t in _all(proc.title)]
        for kind, weight, lookup in (("agency", AGENCY, catalog.agency),
                                     ("category", CATEGORY, catalog.category)):
            ref = getattr(proc, kind, None)
            if ref:
                try:
                    texts += [(t, weight) for t in _all(lookup(ref).name)]
                except KeyError:
                    pass
        texts += [(t, SUMMARY) for t in _all(getattr(proc, "summary", None))]
        for keywords in getattr(proc, "keywords", None) or ():
            texts += [(t, KEYWORDS) for t in _all(keywords)]
        entries.append((proc.id, texts))
    if lang is not None:
        titles = {p.id: normalise(p.title(lang)) for p in catalog.procedures}
        entries.sort(key=lambda e: titles[e[0]])
    return entries


_indexes: list[tuple[object, str | None, Index]] = []


def index_for(catalog, lang: str | None = None) -> Index:
    """The search index of a catalog, built once per catalog object (a few are kept: the
    active edition and, for a moment, the one replacing it)."""
    for cat, cat_lang, index in _indexes:
        if cat is catalog and cat_lang == lang:
            return index
    index = Index(catalog_entries(catalog, lang))
    _indexes.insert(0, (catalog, lang, index))
    del _indexes[4:]
    return index
