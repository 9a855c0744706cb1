"""Case forms of place names in the inflecting Latin-script languages: Polish, Czech, Slovak,
Croatian.

``case_forms("Nowa Zelandia", "pl")`` → ``["Nowej Zelandii", "Nową Zelandię", "Nową Zelandią"]``

CLDR gives a country's name in the nominative only, but a Polish headline says "w Polsce i
Holandii", "premiera Szwecji", "w Nepalu", "w Czechach"; a Czech one "na Ukrajině", "v Česku",
"České republiky". The forms come from the grammar of each language, by the ending of each word:
an explicit list of endings per case (genitive, dative, accusative, instrumental, locative),
never "any few letters", so a stem does not swallow other words. A name of several words
declines its head noun and the adjectives that agree with it, case by case (Nowa Zelandia →
Nowej Zelandii; Stany Zjednoczone → Stanach Zjednoczonych; Česká republika → Českou
republikou); words after the head noun that do not agree with it stay as written (Republika
Zielonego Przylądka → Republice Zielonego Przylądka, Wyspy Marshalla), and names joined by
"i"/"a" decline both (Bośnia i Hercegowina → Bośni i Hercegowiny). Words the rules do not know
(foreign names ending in -i, -u, -e: Chile, Mali, Peru, Burundi) do not decline, as in the
languages themselves. A few irregular nouns are listed (Polska → Polsce; Niemcy → Niemczech).
Forms that are everyday words in the language are left out (``SKIP``). The caller keeps the
forms to the language they belong to.
"""

from __future__ import annotations

import re
from itertools import product

__all__ = ["LANGUAGES", "SKIP", "case_forms"]

LANGUAGES = frozenset({"pl", "cs", "sk", "hr"})

# One paradigm: the forms of the five oblique cases, in this order.
CASES = ("gen", "dat", "acc", "ins", "loc")
Paradigm = tuple[tuple[str, ...], ...]

_VOWELS = "aeiouyąęóáéíóúýěůäôŕĺ"
_HYPHEN_OR_DIGIT = re.compile(r"[-\d’'.()]")
# Foreign particles that stand before a name and never decline (Saint Lucia, San Marino).
_PARTICLES = frozenset({"saint", "san", "sint", "sri", "srí", "šri", "st.", "sv."})
_CONJUNCTIONS = {"pl": " i ", "cs": " a ", "sk": " a ", "hr": " i "}


def _ends(word: str, *endings: str) -> bool:
    return word.lower().endswith(endings)


def _replace_end(word: str, table: tuple[tuple[str, str], ...], default: str) -> str:
    """The word with its ending replaced by the first row of ``table`` that matches it, or with
    ``default`` appended."""
    lower = word.lower()
    for ending, replacement in table:
        if lower.endswith(ending):
            return word[: len(word) - len(ending)] + replacement
    return word + default


def _same(word: str) -> Paradigm:
    return tuple((word,) for _ in CASES)


# --- Polish ---------------------------------------------------------------------------------

# Locative/dative of a feminine noun in -a, by the consonant before the -a: Polska → Polsce,
# Kanada → Kanadzie, Malta → Malcie, Ukraina → Ukrainie, Andora → Andorze, Gwatemala → Gwatemali.
_PL_FEM_LOC = (
    ("st", "ście"),
    ("zd", "ździe"),
    ("ch", "sze"),
    ("cz", "czy"),
    ("sz", "szy"),
    ("rz", "rzy"),
    ("dż", "dży"),
    ("dz", "dzy"),
    ("ż", "ży"),
    ("c", "cy"),
    ("k", "ce"),
    ("g", "dze"),
    ("r", "rze"),
    ("ł", "le"),
    ("t", "cie"),
    ("d", "dzie"),
    ("l", "li"),
    ("j", "i"),
)
# Locative of a masculine noun (and a neuter in -o) by its last consonant: Iran → Iranie,
# Egipt → Egipcie, Czad → Czadzie, Cypr → Cyprze; after k, g, ch, l, j and the hushing
# consonants it is -u: Nepal → Nepalu, Irak → Iraku, Izrael → Izraelu, Urugwaj → Urugwaju.
_PL_MASC_LOC = (
    ("st", "ście"),
    ("ch", "chu"),
    ("cz", "czu"),
    ("sz", "szu"),
    ("rz", "rzu"),
    ("dz", "dzu"),
    ("ż", "żu"),
    ("c", "cu"),
    ("k", "ku"),
    ("g", "gu"),
    ("h", "hu"),
    ("l", "lu"),
    ("j", "ju"),
    ("x", "ksie"),
    ("r", "rze"),
    ("ł", "le"),
    ("t", "cie"),
    ("d", "dzie"),
)
# Irregular nouns: gen, dat, acc, ins, loc.
_PL_IRREGULAR: dict[str, Paradigm] = {
    "Polska": (("Polski",), ("Polsce",), ("Polskę",), ("Polską",), ("Polsce",)),
    "Niemcy": (("Niemiec",), ("Niemcom",), ("Niemcy",), ("Niemcami",), ("Niemczech",)),
    "Węgry": (("Węgier",), ("Węgrom",), ("Węgry",), ("Węgrami",), ("Węgrzech",)),
    "Włochy": (("Włoch",), ("Włochom",), ("Włochy",), ("Włochami",), ("Włoszech",)),
}
_PL_SOFT_FINAL = {"ś": "si", "ć": "ci", "ń": "ni", "ź": "zi"}


def _pl_fem_adj(word: str) -> Paradigm:
    stem = word[:-1]
    ej = stem + ("iej" if _ends(stem, "k", "g") else "ej")
    return ((ej,), (ej,), (stem + "ą",), (stem + "ą",), (ej,))


def _pl_masc_adj(word: str) -> Paradigm:
    stem = word[:-1] if _ends(word, "y") else word[:-1] + "i"  # Południow-, Wschodni-
    y = "" if stem.endswith("i") else "y"
    return (
        (stem + "ego",),
        (stem + "emu",),
        (word,),
        (stem + y + "m",),
        (stem + y + "m",),
    )


def _pl_plural_adj(word: str) -> Paradigm:
    stem = word[:-1]  # Zjednoczon-, Arabski-
    y = "" if stem.endswith("i") else "y"
    return (
        (stem + y + "ch",),
        (stem + y + "m",),
        (word,),
        (stem + y + "mi",),
        (stem + y + "ch",),
    )


_PL_FEM_ADJ = re.compile(r"(?:ow|sk|ck|lk|[^aeiouyąęó]n|[^aeiouyąęó]ni)a$", re.IGNORECASE)
_PL_MASC_ADJ = re.compile(r"(?:ow|sk|ck|[^aeiouyąęó]n)[yi]$", re.IGNORECASE)
_PL_PLURAL_ADJ = re.compile(r"(?:on|k|ow|cz|[^aeiouyąęó]n)i?e$", re.IGNORECASE)


def _pl_adjective(word: str) -> Paradigm | None:
    if _PL_FEM_ADJ.search(word):
        return _pl_fem_adj(word)
    if _PL_MASC_ADJ.search(word):
        return _pl_masc_adj(word)
    if _PL_PLURAL_ADJ.search(word):
        return _pl_plural_adj(word)
    return None


def _pl_noun(word: str) -> Paradigm | None:
    if word in _PL_IRREGULAR:
        return _PL_IRREGULAR[word]
    lower = word.lower()
    last = lower[-1]
    if last == "a":
        stem = word[:-1]
        if lower[-2] in "ieouj":  # Holandia, Francja, Korea, Nikaragua: Holandii, Francji
            # after ś, ź, ć and n the i only softens the n: Bośnia → Bośni (Albania → Albanii,
            # Kalifornia → Kalifornii)
            soft_n = lower.endswith("nia") and lower[-4] in "śźć"
            obl = stem if soft_n else stem + "i"
            return ((obl,), (obl,), (stem + "ę",), (stem + "ą",), (obl,))
        gen = stem + ("i" if _ends(stem, "k", "g", "l", "j") else "y")
        loc = _replace_end(stem, _PL_FEM_LOC, "")
        if loc == stem:  # n, m, b, p, w, f, s, z: Ukrainie, Panamie, Kubie, Litwie
            loc = stem + "ie"
        return ((gen,), (loc,), (stem + "ę",), (stem + "ą",), (loc,))
    if last in _PL_SOFT_FINAL:  # Białoruś → Białorusi, Białorusią
        stem = word[:-1] + _PL_SOFT_FINAL[last]
        return ((stem,), (stem,), (word,), (stem + "ą",), (stem,))
    if (last == "y" and lower[-2] not in _VOWELS) or lower.endswith("ie"):  # Czechy, Indie
        stem = word[:-1]
        gens = (stem + "i",) if lower.endswith("ie") else (stem, stem + "ów")
        return (gens, (stem + "om",), (word,), (stem + "ami",), (stem + "ach",))
    if last == "o" and len(word) >= 5 and lower[-2] not in _VOWELS:  # Kosowo, Maroko, Kongo
        stem = word[:-1]
        loc = _replace_end(stem, _PL_MASC_LOC, "")
        loc = stem + "ie" if loc == stem else loc
        ins = stem + ("iem" if _ends(stem, "k", "g") else "em")
        return ((stem + "a",), (stem + "u",), (word,), (ins,), (loc,))
    if last in _VOWELS or not last.isalpha():
        return None  # Chile, Mali, Peru, Burundi, Fidżi: not declined
    # A masculine noun: Iran, Nepal, Izrael, Egipt, Kijów (→ Kijowa: ó → o before the ending).
    stem = re.sub(r"ó([^aeiouyąęó]+)$", r"o\1", word)
    loc = _replace_end(stem, _PL_MASC_LOC, "")
    loc = stem + "ie" if loc == stem else loc
    ins = stem + ("iem" if _ends(stem, "k", "g") else "em")
    return ((stem + "u", stem + "a"), (stem + "owi",), (word,), (ins,), (loc,))


# --- Czech ----------------------------------------------------------------------------------

# Dative/locative of a feminine noun in -a: Ukrajina → Ukrajině, Praha → Praze, Kanada → Kanadě,
# Amerika → Americe, Andorra → Andoře, Guatemala → Guatemale.
_CS_FEM_LOC = (
    ("ch", "še"),
    ("k", "ce"),
    ("h", "ze"),
    ("g", "ze"),
    ("r", "ře"),
    ("l", "le"),
    ("s", "se"),
    ("z", "ze"),
)
_CS_SOFT = "cčřšžjďťňl"


def _cs_noun(word: str, single: bool = True) -> tuple[Paradigm, str] | None:
    """A Czech noun's paradigm and its gender/number: f, m, n, p (plural)."""
    lower = word.lower()
    last = lower[-1]
    if lower.endswith("ie"):  # Francie → Francii, Francií
        stem = word[:-1]
        return ((word,), (stem + "i",), (stem + "i",), (stem + "í",), (stem + "i",)), "f"
    if lower.endswith("ea"):  # Korea → Koreje, Koreji, Koreu, Koreou
        stem = word[:-1]
        return (
            (stem + "je",),
            (stem + "ji",),
            (stem + "u",),
            (stem + "ou",),
            (stem + "ji",),
        ), "f"
    if last == "a" and len(word) >= 4:
        stem = word[:-1]
        if lower[-2] in _CS_SOFT and lower[-2] != "l":  # Keňa → Keni, Kambodža → Kambodži
            i = _replace_end(stem, (("ň", "ni"), ("ť", "ti"), ("ď", "di")), "i")
            return ((i,), (i,), (stem + "u",), (stem + "ou",), (i,)), "f"
        loc = _replace_end(stem, _CS_FEM_LOC, "ě")
        return ((stem + "y",), (loc,), (stem + "u",), (stem + "ou",), (loc,)), "f"
    if last == "o" and len(word) >= 5:  # Česko → Česka, Česku, Českem; Kosovo → Kosově
        stem = word[:-1]
        velar = _ends(stem, "k", "g", "h")
        soft_loc = _replace_end(stem, _CS_FEM_LOC, "ě")
        neuter_locs = (stem + "u",) if velar else (stem + "u", soft_loc)
        return ((stem + "a",), (stem + "u",), (word,), (stem + "em",), neuter_locs), "n"
    if last == "y" and len(word) >= 5 and lower[-2] not in _VOWELS:  # Filipíny, státy
        stem = word[:-1]
        return (
            (stem, stem + "ů"),
            (stem + "ům", stem + "ám"),
            (word,),
            (stem + "ami", word),
            (stem + "ech", stem + "ách"),
        ), "p"
    if last in _VOWELS or not last.isalpha():
        return None
    # Masculine: Írán → Íránu, Íránem; Izrael → Izraele, Izraeli; Egypt → Egypta, Egyptě.
    if last in _CS_SOFT:
        gens: tuple[str, ...] = (word + "e", word + "u") if last == "l" else (word + "e",)
        locs: tuple[str, ...] = (word + "i", word + "u") if last == "l" else (word + "i",)
        return (gens, (word + "i", word + "u"), (word,), (word + "em",), locs), "m"
    loc = _replace_end(word, (("ch", "chu"), ("k", "ku"), ("h", "hu"), ("g", "gu")), "")
    locs = (loc,) if loc != word else (word + "u", word + "ě")
    return ((word + "u", word + "a"), (word + "u",), (word,), (word + "em",), locs), "m"


def _cs_adjective(word: str, gender: str) -> Paradigm | None:
    lower = word.lower()
    stem = word[:-1]
    if lower.endswith("á"):
        return ((stem + "é",), (stem + "é",), (stem + "ou",), (stem + "ou",), (stem + "é",))
    if lower.endswith(("ý", "é")):
        if gender == "p":
            return ((stem + "ých",), (stem + "ým",), (word,), (stem + "ými",), (stem + "ých",))
        return ((stem + "ého",), (stem + "ému",), (word,), (stem + "ým",), (stem + "ém",))
    if lower.endswith("í"):
        if gender == "f":
            return _same(word)
        if gender == "p":
            return ((stem + "ích",), (stem + "ím",), (word,), (stem + "ími",), (stem + "ích",))
        return ((stem + "ího",), (stem + "ímu",), (word,), (stem + "ím",), (stem + "ím",))
    return None


# --- Slovak ---------------------------------------------------------------------------------


def _sk_noun(word: str, single: bool = True) -> tuple[Paradigm, str] | None:
    lower = word.lower()
    last = lower[-1]
    if lower.endswith("ia"):  # Británia → Británie, Británii, Britániu, Britániou
        stem = word[:-1]
        return (
            (stem + "e",),
            (stem + "i",),
            (stem + "u",),
            (stem + "ou",),
            (stem + "i",),
        ), "f"
    if lower.endswith("ea"):  # Kórea → Kórey, Kórei, Kóreu, Kóreou
        stem = word[:-1]
        return ((stem + "y",), (stem + "i",), (stem + "u",), (stem + "ou",), (stem + "i",)), "f"
    if last == "a" and len(word) >= 4:  # Ukrajina → Ukrajiny, Ukrajine, Ukrajinu, Ukrajinou
        stem = word[:-1]
        return ((stem + "y",), (stem + "e",), (stem + "u",), (stem + "ou",), (stem + "e",)), "f"
    if last == "o" and len(word) >= 5:  # Slovensko → Slovenska, Slovensku, Slovenskom
        stem = word[:-1]
        loc = stem + ("u" if _ends(stem, "k", "g", "h") else "e")  # kráľovstvo → kráľovstve
        return ((stem + "a",), (stem + "u",), (word,), (stem + "om",), (loc,)), "n"
    if (
        last == "y" and len(word) >= 5 and lower[-2] not in _VOWELS
    ):  # štáty → štátov, štátom, štátmi, štátoch; Filipíny
        stem = word[:-1]
        return (
            (stem, stem + "ov"),
            (stem + "om", stem + "am"),
            (word,),
            (stem + "mi", stem + "ami"),
            (stem + "och", stem + "ach"),
        ), "p"
    if last in _VOWELS or not last.isalpha():
        return None
    # Masculine: Irán → Iránu, Iránom, Iráne; Izrael → Izraela, Izraeli.
    return (
        (word + "u", word + "a"),
        (word + "u",),
        (word,),
        (word + "om",),
        (word + "e", word + "i", word + "u"),
    ), "m"


_SK_SHORT_FEM_ADJ = re.compile(r"(?:sk|ck|[^aeiouáéíóúý]n)a$", re.IGNORECASE)  # Čierna


def _sk_adjective(word: str, gender: str) -> Paradigm | None:
    lower = word.lower()
    stem = word[:-1]
    if lower.endswith("á") or _SK_SHORT_FEM_ADJ.search(word):  # Veľká → Veľkej, Veľkú, Veľkou
        return ((stem + "ej",), (stem + "ej",), (stem + "ú",), (stem + "ou",), (stem + "ej",))
    if lower.endswith(("ý", "é", "y", "e")) and re.search(r"[ýéye]$", lower):
        if not re.search(r"(?:sk|ck|n|v|t)[ýéye]$", lower):
            return None
        if gender == "p":
            return ((stem + "ých",), (stem + "ým",), (word,), (stem + "ými",), (stem + "ých",))
        return ((stem + "ého",), (stem + "ému",), (word,), (stem + "ým",), (stem + "om",))
    return None


# --- Croatian -------------------------------------------------------------------------------

_HR_SIBILARISATION = (("k", "ci"), ("g", "zi"), ("h", "si"))
_HR_SOFT = ("c", "č", "ć", "dž", "đ", "j", "lj", "nj", "š", "ž")
# Adjectives by their ending: -ska, -čka, -na, -ova, velika (Hrvatska, Južna, Nova, Velika).
_HR_ADJ_FEM = re.compile(r"(?:sk|čk|šk|ck|[^aeiou]n|ov|ev|velik)a$", re.IGNORECASE)
_HR_ADJ_OTHER = re.compile(r"(?:sk|čk|šk|ck|n|ov|ev|velik)[eio]$", re.IGNORECASE)
# Nouns that drop their a before the endings: Egipat → Egipta, Cipar → Cipra.
_HR_FLEETING_A = {"Egipat": "Egipt", "Cipar": "Cipr"}


def _hr_adj_fem(word: str) -> Paradigm:  # Hrvatska, Južna → Hrvatske, Hrvatskoj, Hrvatsku
    stem = word[:-1]
    return ((stem + "e",), (stem + "oj",), (stem + "u",), (stem + "om",), (stem + "oj",))


def _hr_noun(word: str, single: bool = True) -> tuple[Paradigm, str] | None:
    lower = word.lower()
    last = lower[-1]
    if last == "a" and _HR_ADJ_FEM.search(word):  # adjectival nouns: Hrvatska, Njemačka
        return _hr_adj_fem(word), "f"
    if (
        last == "a" and len(word) >= 4
    ):  # Rusija → Rusije, Rusiji, Rusiju, Rusijom; Amerika → Americi
        stem = word[:-1]
        loc = _replace_end(stem, _HR_SIBILARISATION, "i")
        return ((stem + "e",), (loc,), (stem + "u",), (stem + "om",), (loc,)), "f"
    if last == "o" and len(word) >= 5:  # Kosovo → Kosova, Kosovu, Kosovom
        stem = word[:-1]
        return ((stem + "a",), (stem + "u",), (word,), (stem + "om",), (stem + "u",)), "n"
    if last == "e" and not single and lower[-2] not in _VOWELS:  # Države → Država, Državama
        stem = word[:-1]
        return ((stem + "a",), (stem + "ama",), (word,), (stem + "ama",), (stem + "ama",)), "p"
    if last == "i" and len(word) >= 6 and lower[-2] not in _VOWELS:  # Filipini, Emirati
        stem = word[:-1]
        return ((stem + "a",), (stem + "ima",), (word,), (stem + "ima",), (stem + "ima",)), "p"
    if last in _VOWELS or not last.isalpha():
        return None
    # Masculine: Iran → Irana, Iranu, Iranom; Izrael → Izraela, Izraelom.
    stem = _HR_FLEETING_A.get(word, word)
    ins = stem + ("em" if lower.endswith(_HR_SOFT) else "om")
    return ((stem + "a",), (stem + "u",), (word,), (ins,), (stem + "u",)), "m"


def _hr_adjective(word: str, gender: str) -> Paradigm | None:
    lower = word.lower()
    stem = word[:-1]
    if gender == "f" and _HR_ADJ_FEM.search(word):
        return _hr_adj_fem(word)
    if gender == "p" and lower.endswith(("e", "i")) and _HR_ADJ_OTHER.search(word):
        return ((stem + "ih",), (stem + "im",), (word,), (stem + "im",), (stem + "im",))
    if gender in ("m", "n") and lower.endswith(("i", "o")) and _HR_ADJ_OTHER.search(word):
        return (
            (stem + "og", stem + "oga"),
            (stem + "om", stem + "omu"),
            (word,),
            (stem + "im",),
            (stem + "om",),
        )
    return None


# --- names of several words -----------------------------------------------------------------


def _pl_noun_with_gender(word: str, single: bool = True) -> tuple[Paradigm, str] | None:
    paradigm = _pl_noun(word)
    return None if paradigm is None else (paradigm, "")


_NOUNS = {"pl": _pl_noun_with_gender, "cs": _cs_noun, "sk": _sk_noun, "hr": _hr_noun}


def _adjective(word: str, language: str, gender: str) -> Paradigm | None:
    if language == "pl":
        return _pl_adjective(word)
    if language == "cs":
        return _cs_adjective(word, gender)
    if language == "sk":
        return _sk_adjective(word, gender)
    return _hr_adjective(word, gender)


def _adjective_shaped(word: str, language: str) -> bool:
    lower = word.lower()
    if language == "pl":
        return _pl_adjective(word) is not None
    if language in ("cs", "sk"):
        return lower.endswith(("á", "ý", "é", "í")) or (
            language == "sk"
            and (
                re.search(r"(?:sk|ck|n)[ye]$", lower) is not None
                or _SK_SHORT_FEM_ADJ.search(word) is not None
            )
        )
    return _HR_ADJ_FEM.search(word) is not None or _HR_ADJ_OTHER.search(word) is not None


def _phrase(words: list[str], language: str) -> list[Paradigm] | None:
    """The paradigm of every word of a name without a conjunction, or None."""
    if any(_HYPHEN_OR_DIGIT.search(w) or w.isupper() for w in words):
        return None  # Papua-Nowa Gwinea, SRA Hongkong: left as CLDR writes them
    single = len(words) == 1
    head = None
    for at, word in enumerate(words):
        if word.lower() in _PARTICLES:
            continue
        if single or not _adjective_shaped(word, language):
            head = at
            break
    if head is None:
        return None
    noun = _NOUNS[language](words[head], single)
    if noun is None:
        return None
    noun_paradigm, gender = noun
    paradigms: list[Paradigm] = []
    for at, word in enumerate(words):
        if at == head:
            paradigms.append(noun_paradigm)
            continue
        if word.lower() in _PARTICLES or (at > head and not _adjective_shaped(word, language)):
            paradigms.append(_same(word))
            if at > head:  # a complement (Republika Konga, Wyspy Marshalla): the rest stays
                paradigms.extend(_same(rest) for rest in words[at + 1 :])
                break
            continue
        adjective = _adjective(word, language, gender)
        if adjective is None:
            return None
        paradigms.append(adjective)
    return paradigms


def case_forms(surface: str, language: str, *, skip: bool = True) -> list[str]:
    """The oblique case forms of a place name in ``language`` (one of ``LANGUAGES``), without
    the nominative itself and (``skip``) the forms in ``SKIP``; empty for a name that does not
    decline."""
    if language not in LANGUAGES:
        return []
    parts = surface.split(_CONJUNCTIONS[language])
    joiner = _CONJUNCTIONS[language]
    per_part: list[list[Paradigm]] = []
    for part in parts:
        paradigms = _phrase(part.split(" "), language)
        per_part.append(paradigms if paradigms is not None else [_same(w) for w in part.split(" ")])
    forms: list[str] = []
    for case in range(len(CASES)):
        phrases = []
        for paradigms in per_part:
            phrases.append([" ".join(combo) for combo in product(*(p[case] for p in paradigms))])
        for combo in product(*phrases):
            form = joiner.join(combo)
            skipped = skip and form in SKIP.get(language, ())
            if form != surface and form not in forms and not skipped:
                forms.append(form)
    return forms


# Forms the rules make that are everyday words of the language, in a capital at a sentence's
# start as well (found by checking every generated form against the language's word
# frequencies, see the module docstring): they name nothing.
SKIP: dict[str, frozenset[str]] = {
    "cs": frozenset({"Samou"}),  # samou: "alone", of sám (Samoa)
    "sk": frozenset({"Samou"}),
    "hr": frozenset({"Komora"}),  # komora: a chamber (Komori, the Comoros)
}
