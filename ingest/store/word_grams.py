"""PostgreSQL's exact index of what each word holds, for searches of words and phrases.

A trigram index cannot say where its trigrams stand, so every article it finds for a search
must have its text tested; for a common word over a long range that is most bodies of the
range (issue 13: counting "the" over a year of 1M articles took 4 s). This index answers a
search of one word with no text tested. For each field (title, summary, body) it holds, for
every position in every word of the field's lower(), the ``GRAM_CHARS`` characters that start
there (fewer at a word's end, never fewer than 3): a tsvector of those strings, indexed by GIN.
A word is a run of characters that are not separators (``SEPARATORS``: a fixed list of code
points, the same in SQL and Python, whatever the server's locale).

Why it is exact: a search of 3 to ``GRAM_CHARS`` characters, none a separator, stands at some
position of some word of a text exactly when the string indexed for that position begins with
it: a tsquery prefix match (``'search':*``), which GIN answers from the index alone (only
weights and phrases make it test the row). A longer search begins with the whole string of its
position: that string is read from the index, and only those rows are tested.

A search holding separators ("vargas llosa", "kim jong un", "u.s. sanctions") is read from the
index too, by its words (``tsquery_text``), and every row read is tested: a text holds the
phrase only if it holds each of its words where the phrase puts them. A word the phrase ends
(a separator follows it) ends a word of the text, so the string indexed at its start is the
word itself (its first ``GRAM_CHARS`` characters when longer): an exact string, not a prefix;
a word the phrase begins only after a separator starts a word of the text, so it is a prefix
of the string indexed there. One read of all of them (GIN ANDs them) finds the rows that hold
every word, which for a name are the rows that hold the name. Words shorter than
``MIN_CHARS`` have no string of their own ("of", "u"), so they are not read; a search with no
longer word ("u.s.", "of a") keeps the trigram indexes.

A tsvector holds at most 1 MB of strings. A field whose strings would pass ``TSVECTOR_BYTES``
(in practice only a very long body in Chinese, Japanese or Korean, whose strings are mostly
distinct: about 25,000 characters of it), or too long to make them quickly (``LONG_FIELD``,
``LONG_WORD``), is indexed as the one string ``OVERFLOW`` instead, a separator that no search
can hold; the search reads those rows from the index too and tests them (``queries.search``).
Nothing is refused and nothing is missed.

How the planner is kept to the index: it prices the test of a GIN read's condition on every
row read as if it were made (it is made only on a lossy page), so with statistics showing a
word in most rows it would rather scan and compute every row's strings (about a millisecond a
body: minutes at 1M). The index expressions therefore keep no statistics (the planner then
assumes a match is rare, and reads the index), and the function is priced as dear as it is
(``COST``; that price alone would make the planner start parallel workers for a read of a
few rows, so the function is marked unsafe in them). Each PostgreSQL session also has the memory for a read's bitmap to stay exact at
1M articles (``store.engine.PG_WORK_MEM``): a lossy page would make that test real.
"""

from __future__ import annotations

FUNCTION = "pantau_grams"
GRAM_CHARS = 12  # characters indexed from each position of a word
MIN_CHARS = 3  # the shortest search this index answers (two characters: ``store.bigrams``)
TSVECTOR_BYTES = 1_000_000  # PostgreSQL's limit for a tsvector's strings is 1,048,575 bytes
OVERFLOW = " "  # the one string of a field too long to index (a separator: no search holds it)

# Code points that end a word: ASCII controls, spaces, punctuation and symbols; Latin-1's
# (no-break space, « », ¿, ×, ÷); General Punctuation (spaces, dashes, quotes); CJK Symbols and
# Punctuation (、。「」, bar the iteration marks 々 〆 〇, parts of words); the full-width
# forms of ASCII punctuation (，！：？ and the like).
SEPARATORS: tuple[tuple[int, int], ...] = (
    (0x0001, 0x002F),
    (0x003A, 0x0040),
    (0x005B, 0x0060),
    (0x007B, 0x00BF),
    (0x00D7, 0x00D7),
    (0x00F7, 0x00F7),
    (0x2000, 0x206F),
    (0x3000, 0x3004),
    (0x3008, 0x3020),
    (0xFF01, 0xFF0F),
    (0xFF1A, 0xFF20),
    (0xFF3B, 0xFF40),
    (0xFF5B, 0xFF65),
)


def separator_bracket() -> str:
    """``SEPARATORS`` as one bracket of PostgreSQL's regular expressions (\\uXXXX escapes):
    one separator."""
    ranges = "".join(
        f"\\u{lo:04x}" if lo == hi else f"\\u{lo:04x}-\\u{hi:04x}" for lo, hi in SEPARATORS
    )
    return f"[{ranges}]"


# The planner's price of one call, in cpu_operator_cost units: about a millisecond for a body,
# against a quarter of a microsecond for a plain comparison. At the default (100) it would
# rather compute a few thousand rows' strings than read the index.
COST = 100_000
# A field longer than this many characters, or holding a word longer than ``LONG_WORD``, is
# indexed as ``OVERFLOW`` without its strings being made: a string from every position of a
# long word costs time in the square of its length (a 100,000-character run of Chinese without
# punctuation: half a minute), and so many strings would not fit a tsvector anyway.
LONG_FIELD = 100_000
LONG_WORD = 1_000

# The field's value when it is too long to index: the one string ``OVERFLOW``.
_OVERFLOWED = f"array_to_tsvector(ARRAY['{OVERFLOW}'])"

# The function: the field's lower() in, its strings out, as a tsvector (array_to_tsvector takes
# them as they are: no parser, no dictionary). DISTINCT, so the size test counts each once.
# CASE makes the strings only when neither the field nor any word is too long.
PG_FUNCTION = (
    f"CREATE OR REPLACE FUNCTION {FUNCTION}(t text) RETURNS tsvector "
    f"LANGUAGE sql IMMUTABLE PARALLEL UNSAFE COST {COST} AS $$ "
    f"WITH words AS (SELECT regexp_split_to_table(t, '{separator_bracket()}+') AS w "
    f"WHERE length(t) <= {LONG_FIELD}) "
    "SELECT CASE "
    f"WHEN length(t) > {LONG_FIELD} "
    f"OR (SELECT max(length(w)) FROM words) > {LONG_WORD} THEN {_OVERFLOWED} "
    "ELSE (SELECT CASE WHEN g IS NULL THEN ''::tsvector "
    f"WHEN 4 * n + bytes <= {TSVECTOR_BYTES} THEN array_to_tsvector(g) ELSE {_OVERFLOWED} END "
    "FROM (SELECT array_agg(x) AS g, count(*) AS n, sum(octet_length(x)) AS bytes FROM ("
    f"SELECT DISTINCT substr(w, i, {GRAM_CHARS}) AS x "
    f"FROM words, generate_series(1, length(w) - {MIN_CHARS - 1}) AS i) AS strings) AS counted) "
    "END $$"
)


def is_separator(ch: str) -> bool:
    code = ord(ch)
    return any(lo <= code <= hi for lo, hi in SEPARATORS)


def words(needle: str) -> list[tuple[str, bool]]:
    """The runs of ``needle`` between its separators, each with whether a separator follows it
    in ``needle`` (then it ends a word of any text holding ``needle``)."""
    found: list[tuple[str, bool]] = []
    run = ""
    for ch in needle:
        if is_separator(ch):
            if run:
                found.append((run, True))
            run = ""
        else:
            run += ch
    if run:
        found.append((run, False))
    return found


def answers(needle: str) -> bool:
    """Whether this index answers a search for ``needle`` (lower-cased): it holds a word of at
    least ``MIN_CHARS`` characters."""
    return any(len(word) >= MIN_CHARS for word, _ in words(needle))


def tsquery_text(needle: str) -> str:
    """The tsquery (its text form) of the rows whose field may hold ``needle`` (``answers``).
    For one word: a prefix match of it, or for a longer one the exact string its first
    ``GRAM_CHARS`` characters make (those rows must then be tested). For a search holding
    separators, every word of ``MIN_CHARS`` or more ANDed: the exact string of a word a
    separator follows, or of a longer one, else a prefix match; those rows must be tested
    (``exact`` is false). A word holds no quote or backslash (separators), so the quoted
    strings need no escapes."""
    terms: list[str] = []
    for word, ended in words(needle):
        if len(word) < MIN_CHARS:
            continue
        term = f"'{word[:GRAM_CHARS]}'" if ended or len(word) > GRAM_CHARS else f"'{word}':*"
        if term not in terms:
            terms.append(term)
    return " & ".join(terms)


def exact(needle: str) -> bool:
    """Whether the index read of ``tsquery_text(needle)`` is the answer itself (no test): a
    search of one word of up to ``GRAM_CHARS`` characters."""
    return len(needle) <= GRAM_CHARS and not any(is_separator(ch) for ch in needle)


OVERFLOW_TSQUERY = f"'{OVERFLOW}'"
