"""Two-character searches (中国, 북한, 制裁: the length of many words in Chinese, Japanese and
Korean) are below the trigram indexes' reach. Their own index holds, for each article, every
pair of adjacent characters of its lower-cased title, summary and body, each field on its own
(so no pair straddles two of them). On SQLite an FTS5 table of one token per pair, written in
hexadecimal (``pair_token``) so that every pair is a single token whatever its characters
(spaces and punctuation included); on PostgreSQL a GIN index of the pairs themselves
(``PG_FUNCTION``). A pair is in a field's set exactly when the field's lower() holds it, so the
index answers a two-character search with no text tested."""

from __future__ import annotations

# PostgreSQL: the pairs of a text, an immutable SQL function created in the store's schema
# (expression indexes call it); SQLite: a function of the same name registered on each
# connection (``engine``), returning the pairs' tokens.
FUNCTION = "pantau_bigrams"
PG_FUNCTION = (
    f"CREATE OR REPLACE FUNCTION {FUNCTION}(t text) RETURNS text[] "
    "LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ "
    # The characters, and each beside the next: two slices of one array, walked together
    # (a window over the characters took 40% longer; repeats are left in: the index keeps
    # each pair once, and containment ignores them).
    "SELECT coalesce(array_agg(x || y), '{}') FROM (SELECT regexp_split_to_array(t, '') AS c) s, "
    "unnest(c[1:cardinality(c) - 1], c[2:cardinality(c)]) AS u(x, y) $$"
)


def pair_token(pair: str) -> str:
    """One pair of characters as the SQLite index's token: its two code points as 32-bit
    big-endian hexadecimal (16 digits: one token, whatever the characters)."""
    return pair.encode("utf-32-be").hex()


def pair_tokens(text: str | None) -> str:
    """The tokens of every distinct pair of adjacent characters of ``text`` (already
    lower-cased), sorted and space-separated: what the SQLite index holds for it (the same
    text each time, as a contentless FTS5 table needs to take a row out). Sliced from the
    whole text's hexadecimal at once (a format per pair took twice as long)."""
    if not text:
        return ""
    digits = text.encode("utf-32-be").hex()
    return " ".join(sorted({digits[i : i + 16] for i in range(0, len(digits) - 8, 8)}))
