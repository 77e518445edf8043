"""stemmer.js must stem exactly like Whoosh's English Snowball stemmer.

The search index is built by Whoosh; the browser stems queries with
plugins/directory/search/static/stemmer.js.  Any difference means a query
silently fails to match, so compare the two on a large word list.
"""

import random
import re
import sysconfig
from pathlib import Path

from whoosh.lang import stemmer_for_language
from whoosh.lang.snowball.english import EnglishStemmer

STATIC = Path(__file__).resolve().parents[1] / "plugins" / "directory" / "search" / "static"

MAX_STDLIB_WORDS = 50_000

TRICKY_WORDS = """
running runs runner permitting permits permitted potholes pothole generous
generously generate generation communism community communal arsenal arsenic
skis skies dying lying tying idly news innings inning outing outings canning
cannings howe atlas cosmos bias andes succeed succeeds succeeded succeeding
proceed proceeds proceeded proceeding exceed exceeded herring herrings earring
earrings gently ugly ugli early only singly sky skying cry say yes youth boyish
agreed feed bleed consign consigned consigning consignment happy happily
relational conditional rational valency digitizer conformabli radicalli
differentli vileli analogousli vietnamization predication operator feudalism
decisiveness hopefulness callousness formaliti sensitiviti sensibiliti
triplicate formative formalize electriciti electrical hopeful goodness revival
allowance inference airliner gyroscopic adjustable defensible irritant
replacement adjustment dependent adoption homologou homologous activate
angulariti effective bowdlerize probate rate cease controll roll
1990s 3d x aa caf naïve über straße ıi
ied ies tied ties cried cries died dies lies pies spies studied studies
sses caresses classes us bus gas gaps kiwis ss class caress s is as yes
eed eedly agreedly feed speed speedly exceedingly proceedingly
ingly amazingly sing singing bring string ing ling
edly reportedly markedly ed bed shed fed
hopping hoped hoping filing filling fizzed luxuriating bused bussed biking
stating sized trouble troubled troubling
bey yelling sayings yaY toy toys playing buyer ayyy
logic apology analogies biology archeology
fully hopefully carelessly recently ably lovelily
Running SKIES Yes YELLOW
naïvely résumés façades cafés señoritas
don't it's o'neill 'twas dogs' dog's dog's' rock’n’roll ‘quoted’
x2 a1b2 abc123 h2o 2nd 42s
"""


def stdlib_words(limit=MAX_STDLIB_WORDS):
    """Every [a-z]{2,} run in the standard library's .py files, sorted;
    files are read in sorted order until `limit` distinct words are found."""
    root = Path(sysconfig.get_paths()["stdlib"])
    words = set()
    for path in sorted(root.rglob("*.py")):
        if {"site-packages", "dist-packages"} & set(path.relative_to(root).parts):
            continue
        words.update(re.findall(r"[a-z]{2,}", path.read_text("utf-8", "replace")))
        if len(words) >= limit:
            break
    return sorted(words)


# Pieces that provoke the stemmer's special cases when glued together at
# random, including what [a-z] never gives: apostrophes, digits, accents and
# characters outside the BMP (two UTF-16 units in JS, one code point in Python).
FRAGMENTS = """
a e i o u y s t l n r c g b d w x ll ss ed eed ing ly ies ied at bl iz
ation ational tional ize izer ization ator enci anci abli bli ogi li ful
ness ative ical icate iciti ement ment ent ion sion tion al er ic iti ous
ive ism able ible ance ence gener commun arsen ' 's ’ ‘ ‛ é ß ı 1 9 😀 𝒂
""".split()


def synthetic_words(count=20_000, seed=20240501):
    rng = random.Random(seed)
    words = set()
    while len(words) < count:
        words.add("".join(rng.choices(FRAGMENTS, k=rng.randint(1, 6))))
    return sorted(words)


def test_reference_is_snowball_english():
    # stemmer.js mirrors english.py; make sure that is what "english" means.
    assert stemmer_for_language("english").__func__ is EnglishStemmer.stem


def test_stemmer_js_matches_whoosh(page, serve_directory):
    words = sorted(set(stdlib_words()) | set(synthetic_words()) | set(TRICKY_WORDS.split()))
    assert len(words) >= 20_000
    whoosh_stem = stemmer_for_language("english")
    expected = [whoosh_stem(word) for word in words]

    base_url = serve_directory(STATIC)
    page.goto(base_url + "/")
    actual = page.evaluate(
        """async ([moduleUrl, words]) => {
            const { stem } = await import(moduleUrl);
            return words.map((word) => stem(word));
        }""",
        [base_url + "/stemmer.js", words],
    )

    assert len(actual) == len(words)
    mismatches = [(w, e, a) for w, e, a in zip(words, expected, actual) if e != a]
    report = "\n".join(
        f"  {word!r}: whoosh {want!r}, stemmer.js {got!r}"
        for word, want, got in mismatches[:30]
    )
    assert not mismatches, (
        f"{len(mismatches)} of {len(words)} words stem differently; first ones:\n{report}"
    )


def test_a_stem_begins_with_its_words_first_letter():
    """search-page.js relies on it to skip most words of a summary when highlighting."""
    import itertools

    words = set(stdlib_words()) | set(synthetic_words()) | set(TRICKY_WORDS.split())
    words |= {"".join(letters) for size in (2, 3, 4)
              for letters in itertools.product("aeiouydgls", repeat=size)}
    whoosh_stem = stemmer_for_language("english")
    plain = [word for word in words if re.fullmatch(r"[a-z0-9]+", word)]
    assert len(plain) > 20_000
    assert [word for word in plain if whoosh_stem(word)[:1] != word[:1]] == []
