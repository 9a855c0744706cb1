"""Generate ``ingest/data/evidence_stopwords.tsv``: the function words of each language the topic
lexicon covers, which the topic model may weigh but never shows as a tag's evidence.

Run ``python -m ingest.tagging.build_evidence_stopwords`` (needs ``stopwordsiso``, a
requirements-dev package); the output is committed, so tagging never needs the package.

Source: stopwords-iso (https://github.com/stopwords-iso/stopwords-iso, MIT licence, © 2016 Gene
Diaz), as packaged in ``stopwordsiso`` 0.7.1 on PyPI (MIT, Arthit Suriyawongkul). Kept: the languages of
``topics.toml``, one word per row (entries holding a space are phrases and are left out;
punctuation and digits are never words to the model). Left out:

- Malay (``ms``): the list holds content words (``teknologi``, ``eksport``, ``persekutuan``,
  ``amerika``), which are exactly the evidence an analyst needs.
- Urdu is completed by hand (``ADDED``): most of stopwords-iso's Urdu entries are mis-encoded
  (``ضبتھ`` for ``ساتھ``), so the commonest function words are missing from it (میں, سے, کا).
- Any word that is a keyword of the same language in ``topics.toml``: a keyword is evidence by
  definition (``UN``, ``WHO``, ``AI`` in English, ``زيارة`` in Arabic, ``embargo`` in Spanish).

An analyst may add or remove a row; the file is part of the tagger version.
"""

from __future__ import annotations

import sys
import tomllib
from importlib.metadata import version
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data"
OUTPUT = DATA / "evidence_stopwords.tsv"
TOPICS = DATA / "topics.toml"
SOURCE_VERSION = "0.7.1"
LEFT_OUT_LANGUAGES = frozenset({"ms"})
# Function words stopwords-iso lacks: postpositions, auxiliaries, pronouns and conjunctions.
ADDED = {
    "ur": "میں سے کا کی کے کو نے پر اور بھی ہے ہیں تھا تھی تھے کہ یہ وہ کیا کر ہو گا گی گے نہیں"
    " ایک جو تو لیے لئے کہا اس ان ہوں ہوئے ہوئی ہی جس جن اپنے اپنی گیا گئی گئے رہا رہی رہے"
    # Light verbs and connectives an unseen BBC Urdu/ARY sample showed as topic evidence.
    " یا دیا دیے کرنے ہونے خلاف شامل",
    # stopwords-iso's Ukrainian list (73 words) lacks most prepositions, conjunctions and
    # pronouns (на, в, у, за, і, його): a long Ukrainian text repeats them.
    # Chinese: common function words stopwords-iso lacks, seen shown as a topic's evidence.
    "zh": "没有 可能 已经 因为 所以 但是 如果 这个 那个 他们 我们 自己 什么 怎么 这样",
    "uk": "на в у за і й а о об по при над між через після перед біля серед щодо проти зі зо"
    " або але бо щоб якщо то не ні ж же вже ще лише тільки його йому їй їм нього неї них цього"
    " цієї цих цю ця ці той ті тих тому тим яка яке які яких якій якого якому хто кого кому"
    " мене мені нас нами вами себе свій своя своє свої свого своєї своїх буде будуть може"
    " можна треба має мають було понад близько саме",
}
HEADER = (
    "# Function words never shown as a topic's evidence (ingest/tagging/topic_model.py).\n"
    "# Built by python -m ingest.tagging.build_evidence_stopwords from stopwords-iso "
    f"(stopwordsiso {SOURCE_VERSION}, MIT licence);\n"
    "# see that script for what is left out. Columns: language (ISO 639-1), word (lower case).\n"
)


def lexicon_keywords(path: Path = TOPICS) -> dict[str, set[str]]:
    """Each language's topic keywords of ``topics.toml``, lower-cased, without a trailing ``*``."""
    keywords: dict[str, set[str]] = {}
    for spec in tomllib.loads(path.read_text(encoding="utf-8")).values():
        if not isinstance(spec, dict):
            continue
        for language, words in spec.items():
            if isinstance(words, list):
                keywords.setdefault(language, set()).update(
                    word.rstrip("*").lower() for word in words
                )
    return keywords


def is_word(entry: str) -> bool:
    """One word of letters (apostrophes inside allowed): no phrase, punctuation or number."""
    return bool(entry) and " " not in entry and entry[0].isalpha() and not entry.isdigit()


def rows() -> list[tuple[str, str]]:
    """(language, word) rows, sorted."""
    import stopwordsiso

    if version("stopwordsiso") != SOURCE_VERSION:
        raise SystemExit(f"stopwordsiso {SOURCE_VERSION} is the source; pip install it")
    keywords = lexicon_keywords()
    out: set[tuple[str, str]] = set()
    for language in sorted(keywords):
        if language in LEFT_OUT_LANGUAGES:
            continue
        for entry in [*stopwordsiso.stopwords(language), *ADDED.get(language, "").split()]:
            word = entry.strip().lower()
            if is_word(word) and word not in keywords[language]:
                out.add((language, word))
    return sorted(out)


def main() -> int:
    found = rows()
    OUTPUT.write_text(
        HEADER + "".join(f"{language}\t{word}\n" for language, word in found), encoding="utf-8"
    )
    languages = len({language for language, _ in found})
    print(f"wrote {OUTPUT} ({len(found):,} words, {languages} languages)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
