"""Language of an article: script shortcuts, langdetect (seeded), the feed's declared language as prior.

``detect_language(title, summary, declared) -> (code, source)``: ``code`` is an ISO 639-1 code
(or None when nothing can be said), ``source`` is ``"detected"`` when the text decided it and
``"feed"`` when the feed's declared language did.

The order of decisions:

1. The declared language is normalised (``en-US`` → ``en``, ``zh-TW`` → ``zh``, ``in`` → ``id``,
   ``IT-it`` → ``it``, ``Hindi`` → ``hi``); something that is not a language (``US``) is dropped.
2. Scripts that belong to one language decide alone: Hangul → ko, kana → ja, Thai, Greek,
   Hebrew, Georgian, Armenian...; Devanagari → hi unless the feed declares mr/ne; Arabic script →
   the declared language when it is one written in it (ar, fa, ur...), else langdetect among them;
   Han without kana → zh.
3. Text with fewer than ``MIN_LETTERS`` letters is too short to judge: the declared language is
   used alone; if there is none, langdetect's answer is kept only when it is sure (else None).
4. langdetect (profiles loaded in sorted order, seed 0: the same answer in every process) on
   title + summary. Its answer stands unless the feed declared a language it cannot tell apart
   from the detected one (Malay, which langdetect lacks, reads as Indonesian; Belarusian as
   Russian/Ukrainian; Bosnian/Serbian/Croatian...) or the detection is unsure and still gives
   the declared language a fair chance; then the declared language is kept (source ``feed``).
"""

from __future__ import annotations

import re
import string
import threading
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from babel import Locale

from ingest.text_clean import clean_line

if TYPE_CHECKING:  # langdetect is imported when a text is first detected (~20 ms of a start)
    from langdetect.detector_factory import DetectorFactory

MIN_LETTERS = 20
# Detection below this probability is "unsure": a declared language with at least
# DECLARED_FLOOR probability in the same detection wins.
SURE = 0.90
DECLARED_FLOOR = 0.10
# langdetect reads at most this many characters: enough to judge a language, and on ~1 KB
# articles a third faster than reading them whole.
DETECT_CHARS = 600
# A field whose characters are this share or more of U+FFFD (what a decoder puts for bytes it
# cannot read: a GBK or Windows-1251 feed read as UTF-8) is debris: the letters between the
# replacement characters are misread bytes (Armenian, Cyrillic, Arabic at random), which
# langdetect reads as some language. Such a field is left out of detection, when another is not.
GARBLED_SHARE = 0.25
# langdetect's prior for a language the tagger has no lexicon for (``topics.languages()``:
# those weigh 1). Pantau reads news in its lexicon's languages; on a short headline
# langdetect's seven random trials often land on a neighbour nobody polls ("Drone attack on
# Sudan market kills 28" read as Swedish, "Pigs at Amsterdam's Schiphol Airport…" as
# Afrikaans), and this prior tips such near-ties back. A clear text in another language
# still wins: its n-grams outweigh a factor of ten within a few words.
OTHER_LANGUAGE_PRIOR = 0.1

# Deprecated or non-standard tags seen in real feeds → ISO 639-1.
_ALIASES = {
    "in": "id",  # old ISO code for Indonesian (Java locales still emit it)
    "iw": "he",
    "ji": "yi",
    "jw": "jv",
    "mo": "ro",
    "sh": "sr",
    "tl": "tl",
    "fil": "tl",
    "zh-hans": "zh",
    "zh-hant": "zh",
}
# Languages langdetect has no profile for, and what it answers for them instead: when the feed
# declares the key and langdetect answers one of the values, the feed is believed.
_CONFUSABLE = {
    "ms": {"id", "tl"},  # Malay reads as Indonesian
    "be": {"ru", "uk", "bg", "mk"},
    "bs": {"hr", "sr", "sl"},
    "sr": {"hr", "mk", "bg", "ru", "sl"},
    "nb": {"no", "da", "sv"},
    "nn": {"no", "da", "sv"},
    "gl": {"pt", "es"},
    "ps": {"fa", "ur", "ar"},
    "ku": {"ar", "fa", "tr"},
    "kk": {"ru", "uk", "bg", "mk"},
    "ky": {"ru", "uk", "bg", "mk"},
    "jv": {"id"},
    "su": {"id"},
}
# Cyrillic letters that only some of langdetect's Cyrillic languages write (ru, uk, bg, mk):
# ы э ё only Russian, і ї є ґ only Ukrainian, ъ Russian and Bulgarian, ѓ ќ ѕ љ њ џ ј only
# Macedonian. A short Russian headline scored as Bulgarian ("Экс-сенатор предрек…") is read
# as Russian when its letters allow nothing else (``_fit_letters``).
_CYRILLIC_LETTERS = {
    **dict.fromkeys("ыэё", frozenset({"ru"})),
    **dict.fromkeys("іїєґ", frozenset({"uk"})),
    "ъ": frozenset({"ru", "bg"}),
    **dict.fromkeys("ѓќѕљњџј", frozenset({"mk"})),
}
_ARABIC_SCRIPT_LANGUAGES = {"ar", "fa", "ur", "ps", "ku", "sd", "ug", "ckb"}
_CYRILLIC_LANGUAGES = {"ru", "uk", "bg", "sr", "mk", "be", "kk", "ky", "mn", "tg"}
# The script a declared language is written in, where it is not Latin (trust_declared).
_WRITTEN_IN = {
    **{code: "CYRILLIC" for code in _CYRILLIC_LANGUAGES},
    **{code: "ARABIC" for code in _ARABIC_SCRIPT_LANGUAGES},
    "he": "HEBREW",
    "yi": "HEBREW",
}
_DEVANAGARI_LANGUAGES = {"hi", "mr", "ne", "sa", "mai", "bh", "kok"}
# Unicode script (first word of the character name) → the one language it stands for.
_SINGLE_LANGUAGE_SCRIPTS = {
    "HANGUL": "ko",
    "THAI": "th",
    "GREEK": "el",
    "HEBREW": "he",
    "GEORGIAN": "ka",
    "ARMENIAN": "hy",
    "KHMER": "km",
    "LAO": "lo",
    "MYANMAR": "my",
    "SINHALA": "si",
    "TAMIL": "ta",
    "TELUGU": "te",
    "KANNADA": "kn",
    "MALAYALAM": "ml",
    "GUJARATI": "gu",
    "GURMUKHI": "pa",
    "ETHIOPIC": "am",
    "TIBETAN": "bo",
}


# A language tag as BCP 47 spells it in feeds, URLs and filters: a primary ISO 639 code of two
# or three letters, then an optional subtag ("en", "pt-br", "zh-hant").
LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(-[a-z0-9]{2,8})?")
DECLARED_MAX_CHARS = 64  # a declared language longer than this is not a language tag


def normalise_language(tag: object) -> str | None:
    """An ISO 639-1 code for a declared language tag ("en-us" → "en", "in" → "id", "Hindi" →
    "hi", "ind" → "id"), or None if it names no language (a country, garbage, not text)."""
    if not isinstance(tag, str):
        return None
    return _normalise_language(clean_line(tag, max_chars=DECLARED_MAX_CHARS))


@lru_cache(maxsize=4096)
def _normalise_language(tag: str) -> str | None:
    tag = tag.strip().casefold().replace("_", "-")
    if not tag:
        return None
    if tag in _ALIASES:
        return _ALIASES[tag]
    primary = tag.split("-", 1)[0].strip()
    if primary in _ALIASES:
        return _ALIASES[primary]
    known = _language_codes()
    return known.get(primary) or known.get(tag)


@lru_cache(maxsize=1)
def _language_codes() -> dict[str, str]:
    """ISO 639-1 codes, English language names and ISO 639-2/3 codes → ISO 639-1 (CLDR), from
    the tagger cache when it holds this Babel's table (loading Babel's locale data takes ~60 ms
    of a process's start)."""
    import babel

    from ingest.tagging.tagger_cache import cached  # the tagging package imports this module

    return cached("language-codes", _read_language_codes, dict, depends_on=babel.__version__)


def _read_language_codes() -> dict[str, str]:
    from babel.core import get_global

    names: dict[str, str] = {}
    for code, name in Locale("en").languages.items():
        if len(code) == 2 and code.isalpha():
            names[name.casefold()] = code
            names[code] = code
    for alias, target in get_global("language_aliases").items():
        if len(alias) == 3 and len(target) == 2:
            names.setdefault(alias, target)
    return names


_FACTORY_LOCK = threading.Lock()  # the poller detects from many threads: load profiles once


def _factory() -> DetectorFactory:
    with _FACTORY_LOCK:
        return _load_factory()


@lru_cache(maxsize=1)
def _load_factory() -> DetectorFactory:
    """langdetect's profiles, loaded in a fixed (sorted) order, with a fixed seed."""
    from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

    DetectorFactory.seed = 0
    factory = DetectorFactory()
    directory = Path(PROFILES_DIRECTORY)
    profiles = [
        path.read_text(encoding="utf-8")
        for path in sorted(directory.iterdir())
        if path.is_file() and not path.name.startswith(".")
    ]
    factory.load_json_profile(profiles)
    factory.set_seed(0)
    return factory


def supported_by_langdetect() -> frozenset[str]:
    """ISO 639-1 codes langdetect can answer (zh-cn/zh-tw count as zh)."""
    return frozenset(_code(lang) for lang in _factory().get_lang_list())


def _code(langdetect_code: str) -> str:
    return "zh" if langdetect_code.startswith("zh") else langdetect_code


# Latin letters are most of most text: counted at C speed; other letters are looked up one by
# one (the script of a character is memoised: unicodedata.name is slow).
_LATIN_LETTERS = re.compile(r"[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f]")
_OTHER_LETTERS = re.compile(r"[^\W\d_A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f]")
_ASCII_LETTERS = string.ascii_letters.encode("ascii")
_SCRIPT_OF: dict[str, str] = {}


def letter_script(char: str) -> str:
    """The script of a letter (first word of its Unicode name), "" for a non-letter."""
    script = _SCRIPT_OF.get(char)
    if script is not None:
        return script
    if not char.isalpha():
        script = ""  # \\w also holds numerals that are not digits (², ½, Ⅻ)
    elif char < "\u0250":  # ª µ º: Latin-1 letters outside the Latin classes above
        script = "LATIN"
    else:
        name = unicodedata.name(char, "")
        script = name.split(" ", 1)[0] if name else "UNKNOWN"
        if script == "CJK":
            script = "HAN"
        elif script in ("HIRAGANA", "KATAKANA"):
            script = "KANA"
    if len(_SCRIPT_OF) < 65536:
        _SCRIPT_OF[char] = script
    return script


def _script_counts(text: str) -> tuple[int, dict[str, int]]:
    """Number of letters and letters per script (first word of the Unicode name)."""
    if text.isascii():  # its letters are A-Z and a-z, all Latin: counted by deleting them
        latin = len(text) - len(text.encode("ascii").translate(None, _ASCII_LETTERS))
        return latin, {"LATIN": latin} if latin else {}
    latin = len(_LATIN_LETTERS.findall(text))
    scripts: dict[str, int] = {"LATIN": latin} if latin else {}
    letters = latin
    for char in _OTHER_LETTERS.findall(text):
        script = letter_script(char)
        if script:
            letters += 1
            scripts[script] = scripts.get(script, 0) + 1
    return letters, scripts


def _by_script(
    letters: int, scripts: dict[str, int], declared: str | None
) -> tuple[str, str] | None:
    """A language decided by the script alone, or None to leave it to langdetect."""
    if not letters:
        return None
    if scripts.get("KANA", 0) >= 2 or (
        scripts.get("KANA", 0) and scripts.get("KANA", 0) * 10 >= letters
    ):
        return "ja", "detected"
    script, count = max(scripts.items(), key=lambda item: (item[1], item[0]))
    if count * 2 < letters:
        return None  # no script dominates: mixed text, langdetect decides
    if script in _SINGLE_LANGUAGE_SCRIPTS:
        return _SINGLE_LANGUAGE_SCRIPTS[script], "detected"
    if script == "HAN":
        return ("ja", "feed") if declared == "ja" else ("zh", "detected")
    if script == "DEVANAGARI":
        if declared in _DEVANAGARI_LANGUAGES and declared != "hi":
            return declared, "feed"
        return "hi", "detected"
    if script == "ARABIC" and declared in _ARABIC_SCRIPT_LANGUAGES:
        return declared, "feed"
    return None


def _case_for_detection(text: str) -> str:
    """``text`` lower-cased when most of its cased letters are capitals: langdetect's profiles
    are of running text, and on a headline in capitals it reads another language (Indonesian
    BANJIR BANDANG TERJANG TAPANULI TENGAH as Vietnamese, ПУТИН ВСТРЕТИЛСЯ С ТРАМПОМ as
    Bulgarian)."""
    upper = sum(1 for c in text if c.isupper())
    lower = sum(1 for c in text if c.islower())
    return text.lower() if upper > lower else text


@lru_cache(maxsize=1)
def _prior() -> dict[str, float]:
    """langdetect's prior: 1 for the tagger's lexicon languages, ``OTHER_LANGUAGE_PRIOR`` else."""
    from ingest.tagging.topics import languages  # the tagger imports this module

    read = languages()
    return {
        lang: 1.0 if _code(lang) in read else OTHER_LANGUAGE_PRIOR
        for lang in _factory().get_lang_list()
    }


def _fit_letters(ranked: list[tuple[str, float]], text: str) -> list[tuple[str, float]]:
    """``ranked`` with the Cyrillic language the text's own letters call for first
    (``_CYRILLIC_LETTERS``); unchanged when they call for none, or contradict each other."""
    allowed: frozenset[str] | None = None
    for letter in set(text.lower()) & _CYRILLIC_LETTERS.keys():
        only = _CYRILLIC_LETTERS[letter]
        allowed = only if allowed is None else allowed & only
    if not allowed or (ranked and ranked[0][0] in allowed):
        return ranked
    fitting = [item for item in ranked if item[0] in allowed]
    if not fitting and len(allowed) == 1:
        fitting = [(next(iter(allowed)), ranked[0][1] if ranked else 1.0)]
    if not fitting:
        return ranked
    return fitting + [item for item in ranked if item[0] not in allowed]


def _langdetect(text: str) -> list[tuple[str, float]]:
    """langdetect's candidates, best first, zh-cn/zh-tw folded into zh."""
    from langdetect.lang_detect_exception import LangDetectException

    detector = _factory().create()
    detector.set_prior_map(_prior())
    detector.append(_case_for_detection(text[:DETECT_CHARS]))
    try:
        ranked = detector.get_probabilities()
    except LangDetectException:
        return []
    merged: dict[str, float] = {}
    for candidate in ranked:
        code = _code(candidate.lang)
        merged[code] = merged.get(code, 0.0) + candidate.prob
    return sorted(merged.items(), key=lambda item: (-item[1], item[0]))


def _script_fits(declared: str, letters: int, scripts: dict[str, int]) -> bool:
    """Whether the text's dominant script is the one ``declared`` is written in (Cyrillic for
    the Cyrillic languages, Hebrew, Arabic..., Latin for the rest): a language the script does
    not contradict. Scripts that name their language alone are decided before this."""
    if not letters:
        return True
    script, count = max(scripts.items(), key=lambda item: (item[1], item[0]))
    if count * 2 < letters:
        return False  # mixed scripts: let langdetect read it
    return script == _WRITTEN_IN.get(declared, "LATIN")


def _garbled(field: str) -> bool:
    """Whether ``field`` is mostly a decoding failure (``GARBLED_SHARE``)."""
    replaced = field.count("\ufffd")
    return replaced > 0 and replaced >= GARBLED_SHARE * len(field.strip())


def _readable_text(title: str, summary: str) -> str:
    """Title and summary as detection reads them: a garbled field left out while the other is
    not (both garbled: both, as they are)."""
    fields = [field for field in (title, summary) if not _garbled(field)]
    if not fields or len(fields) == 2:
        return f"{title}\n{summary}"
    return fields[0]


def detect_language(
    title: str, summary: str, declared: str | None = None, *, trust_declared: bool = False
) -> tuple[str | None, str]:
    """(ISO 639-1 code or None, "detected" | "feed") for an article's title and summary.

    ``trust_declared``: the caller vouches for ``declared`` (the ``tag`` command's "language",
    or a feed whose declared language detection has just confirmed on its first items): it is
    taken unless the text's script contradicts it, and langdetect does not run.
    """
    declared = normalise_language(declared)
    text = _readable_text(title or "", summary or "")
    if trust_declared and declared:
        letters, scripts = _script_counts(text[:DETECT_CHARS])
        by_script = _by_script(letters, scripts, declared)
        if by_script is not None:
            return by_script
        if _script_fits(declared, letters, scripts):
            return declared, "feed"
    letters, scripts = _script_counts(text)
    by_script = _by_script(letters, scripts, declared)
    if by_script is not None:
        return by_script
    if letters < MIN_LETTERS and declared:
        return declared, "feed"
    if not letters:
        return (declared, "feed") if declared else (None, "detected")
    ranked = _langdetect(text)
    if not ranked:
        return (declared, "feed") if declared else (None, "detected")
    if scripts.get("CYRILLIC", 0) * 2 >= letters:
        ranked = _fit_letters(ranked, text)
    if scripts.get("ARABIC", 0) * 2 >= letters:
        # langdetect strays outside the Arabic-script languages on short Urdu/Persian text.
        arabic = [item for item in ranked if item[0] in _ARABIC_SCRIPT_LANGUAGES]
        ranked = arabic or ranked
    best, probability = ranked[0]
    if declared is None and letters < MIN_LETTERS and probability < SURE:
        return None, "detected"  # too short to judge and nothing declared: no guess
    if declared is None or best == declared:
        return best, "detected"
    if best in _CONFUSABLE.get(declared, ()):
        return declared, "feed"
    if probability < SURE and dict(ranked).get(declared, 0.0) >= DECLARED_FLOOR:
        return declared, "feed"
    return best, "detected"
