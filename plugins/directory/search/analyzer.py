"""The build-time half of the search analyzer; static/analyzer.js is the browser half.

Both follow static/analyzer.json, and tests/test_search_parity.py holds them to the same tokens.
The steps are written out here instead of composing Whoosh's stock RegexTokenizer,
CharsetFilter and StemFilter because each of those has its own Unicode and regex semantics that
JavaScript cannot copy exactly; these few lines can be mirrored line for line.
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from whoosh.analysis import Token, Tokenizer
from whoosh.lang.snowball.english import EnglishStemmer

SPEC = json.loads((Path(__file__).parent / "static" / "analyzer.json").read_text(encoding="utf-8"))
STOP_WORDS = frozenset(SPEC["stop_words"])
MIN_LENGTH = SPEC["min_length"]
MAX_LENGTH = SPEC["max_length"]
_APOSTROPHES = re.compile("[" + re.escape(SPEC["apostrophes"]) + "]")
_WORD = re.compile(r"[^\W_]+")  # letters and digits: Unicode L* and N*, like JS [\p{L}\p{N}]+
# The same words in lower-case ASCII text, the normalised form of most text: a plain character
# class is matched twice as fast as the Unicode one (a fifth of the index's analysis).
_ASCII_WORD = re.compile(r"[a-z0-9]+")
_stem = lru_cache(maxsize=100_000)(EnglishStemmer().stem)


def normalize(text: str) -> str:
    """Lower case, accents and apostrophes gone: 'María's' -> 'marias'."""
    if text.isascii():  # most text: NFKD changes nothing and there are no marks to drop
        return _APOSTROPHES.sub("", text.lower())
    folded = unicodedata.normalize("NFKD", text.lower())
    folded = "".join(char for char in folded if not unicodedata.category(char).startswith("M"))
    return _APOSTROPHES.sub("", folded)


def words(text: str) -> list[str]:
    """Normalised words, before stop words and stemming (the browser's prefix matching
    works on these)."""
    normalized = normalize(text)
    return (_ASCII_WORD if normalized.isascii() else _WORD).findall(normalized)


def keep(word: str) -> bool:
    return MIN_LENGTH <= len(word) <= MAX_LENGTH and word not in STOP_WORDS


@lru_cache(maxsize=200_000)
def term_of(word: str) -> str | None:
    """The index term of one normalised word, or None for a word the index leaves out. A
    directory repeats a few thousand words millions of times: each is decided once."""
    return _stem(word) if keep(word) else None


def terms_of(words_in_order: list[str]) -> list[str]:
    """The index terms of some normalised words, in order."""
    return [term for term in map(term_of, words_in_order) if term is not None]


def analyze(text: str) -> list[str]:
    """The index terms of ``text``, in order."""
    return terms_of(words(text))


class DirectoryTokenizer(Tokenizer):
    """The analyzer as a Whoosh tokenizer, so that Whoosh indexes exactly ``analyze(text)``."""

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        terms = analyze(value) if tokenize else [value]
        for position, term in enumerate(terms, start_pos):
            token.text = term
            token.boost = 1.0
            token.stopped = False
            if positions:
                token.pos = position
            yield token
