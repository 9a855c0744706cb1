"""The shared multi-pattern matcher: leftmost-longest, offsets, case, script-aware boundaries."""

from __future__ import annotations

import pickle
import threading
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.tagging.matcher import Match, Matcher, Pattern, normalize


def spans(matcher: Matcher, text: str) -> list[tuple[str, object]]:
    return [(m.text, m.payload) for m in matcher.find(text)]


def test_longest_match_wins_and_a_blocker_hides_the_name_inside_it() -> None:
    matcher = Matcher([Pattern("China", "CHN"), Pattern("South China Sea", None)])
    assert spans(matcher, "China patrols the South China Sea") == [
        ("China", "CHN"),
        ("South China Sea", None),
    ]


def test_matches_are_sorted_and_carry_offsets_into_the_original_text() -> None:
    matcher = Matcher([Pattern("Russia", "RUS"), Pattern("Ukraine", "UKR")])
    text = "Ukraine says Russia attacked Ukraine"
    found = matcher.find(text)
    assert [m.start for m in found] == [0, 13, 29]
    assert all(text[m.start : m.end] == m.text for m in found)
    assert found[0] == Match(0, 7, "Ukraine", "UKR")


INVISIBLE = ["\u00ad", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"]


@pytest.mark.parametrize("mark", INVISIBLE)
def test_an_invisible_character_in_the_text_or_the_pattern_is_read_as_absent(mark: str) -> None:
    """Hindi writes दिल्‍ली with a zero-width joiner after the virama, Persian types its non-joiner
    or not, a feed leaves a soft hyphen in a word: the name still matches, either way round,
    and the match is the text's own span (with the mark inside it)."""
    plain, marked = "दिल्ली", "दिल्" + mark + "ली"
    for pattern, word in ((plain, marked), (marked, plain), (marked, marked)):
        matcher = Matcher([Pattern(pattern, "IND"), Pattern("Ukraine", "UKR")])
        text = f"Ukraine {word} में"
        found = matcher.find(text)
        assert [(m.payload, m.start, m.end) for m in found] == [
            ("UKR", 0, 7),
            ("IND", 8, 8 + len(word)),
        ]
        assert all(text[m.start : m.end] == m.text for m in found)
    # A mark inside a longer word leaves it one word: Russia + mark + n reads Russian.
    assert spans(Matcher([Pattern("Russia", "RUS")]), "Russia" + mark + "n") == []


def test_case_insensitive_by_default_and_case_sensitive_on_request() -> None:
    matcher = Matcher([Pattern("iran", "IRN"), Pattern("US", "USA", case_sensitive=True)])
    assert spans(matcher, "IRAN and the US") == [("IRAN", "IRN"), ("US", "USA")]
    assert spans(matcher, "tell us about Iran") == [("Iran", "IRN")]


def test_offsets_survive_characters_whose_lower_case_is_longer() -> None:
    # "İ".lower() is two characters; the matcher must still report offsets into the input.
    matcher = Matcher([Pattern("Ankara", "TUR")])
    text = "İİİ İSTANBUL ve ANKARA"
    (match,) = matcher.find(text)
    assert text[match.start : match.end] == "ANKARA"
    assert len(normalize(text)) == len(text)


def test_word_boundaries_for_scripts_with_spaces() -> None:
    matcher = Matcher([Pattern("Oman", "OMN"), Pattern("Niger", "NER")])
    assert spans(matcher, "Romania, Nigeria and Omani ports") == []
    assert spans(matcher, "Niger-Oman talks") == [("Niger", "NER"), ("Oman", "OMN")]


def test_no_boundaries_for_han_and_hiragana() -> None:
    matcher = Matcher([Pattern("中国", "CHN"), Pattern("中国地方", None)])
    assert spans(matcher, "中国人と中国地方") == [("中国", "CHN"), ("中国地方", None)]


def test_katakana_pattern_does_not_match_inside_a_longer_katakana_word() -> None:
    matcher = Matcher([Pattern("マリ", "MLI"), Pattern("インド", "IND")])
    assert spans(matcher, "マリオとインドネシア") == []
    assert spans(matcher, "マリ軍とインドの首相") == [("マリ", "MLI"), ("インド", "IND")]


def test_hangul_takes_particles_but_must_start_a_word() -> None:
    matcher = Matcher([Pattern("러시아", "RUS"), Pattern("이란", "IRN")])
    assert spans(matcher, "러시아의 이란은") == [("러시아", "RUS"), ("이란", "IRN")]
    assert spans(matcher, "그것이란 무엇인가") == []


def test_whole_word_hangul_abbreviation_takes_no_particles() -> None:
    matcher = Matcher([Pattern("미", "USA", whole_word=True)])
    assert spans(matcher, "미 국무부") == [("미", "USA")]
    assert spans(matcher, "미사일 미래") == []


def test_stems_take_inflected_endings_up_to_max_suffix() -> None:
    matcher = Matcher([Pattern("Росси", "RUS", prefix=True, max_suffix=3)])
    assert spans(matcher, "в России, с Россией") == [("России", "RUS"), ("Россией", "RUS")]
    assert spans(matcher, "россиянинами") == []  # nine more letters: another word


def test_a_stem_with_a_closed_list_of_endings_takes_only_those() -> None:
    matcher = Matcher([Pattern("Комор", "COM", prefix=True, endings=frozenset({"", "ы", "ам"}))])
    assert spans(matcher, "Комор, Коморы, КОМОРАМ") == [
        ("Комор", "COM"),
        ("Коморы", "COM"),
        ("КОМОРАМ", "COM"),
    ]
    assert spans(matcher, "Комора, Коморка") == []
    without_bare = Matcher([Pattern("Дани", "DNK", prefix=True, endings=frozenset({"я", "и"}))])
    assert spans(without_bare, "Дания, Дании, Дани, Данило") == [("Дания", "DNK"), ("Дании", "DNK")]


def test_arabic_and_hebrew_proclitics() -> None:
    matcher = Matcher([Pattern("روسيا", "RUS"), Pattern("ישראל", "ISR")])
    assert spans(matcher, "وروسيا ولروسيا") == [("روسيا", "RUS"), ("روسيا", "RUS")]
    assert spans(matcher, "مروسيا") == []
    assert spans(matcher, "בישראל") == [("ישראל", "ISR")]


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        ("ریگا", "کریگا", []),  # Urdu "will do": keheh ک is no proclitic
        ("ریگا", "كريگا", ["ريگا"]),  # Arabic kaf ك "like" is
        ("ریگا", "وریگا", ["ریگا"]),
        ("دبي", "دبے", []),  # Urdu "buried": yeh barree ے is not ي
        ("دبي", "دبی", ["دبی"]),  # Persian yeh is
        ("دبي", "ودبي", ["دبي"]),
        ("چلی", "چلے گئے", []),  # Urdu "went away", not Chile
    ],
)
def test_urdu_letters_are_not_arabic_proclitics_or_yeh(
    pattern: str, text: str, expected: list[str]
) -> None:
    assert [m.text for m in Matcher([Pattern(pattern, "X")]).find(text)] == expected


def test_accept_vets_payloads_before_the_longest_match_is_chosen() -> None:
    matcher = Matcher([Pattern("Korea", "KOR"), Pattern("Korea Selatan", "id-only")])
    assert spans(matcher, "Korea Selatan") == [("Korea Selatan", "id-only")]
    found = matcher.find("Korea Selatan", accept=lambda payload: payload != "id-only")
    assert [(m.text, m.payload) for m in found] == [("Korea", "KOR")]


def test_empty_input_and_empty_matcher() -> None:
    assert Matcher([]).find("anything") == []
    assert Matcher([Pattern("x", 1)]).find("") == []


_WORDS = [
    "Iran",
    "Iraq",
    "Iranian",
    "US",
    "us",
    "中国",
    "中国地方",
    "러시아의",
    " ",
    ", ",
    "-",
    "İ",
]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_WORDS), max_size=12))
def test_matches_never_overlap_and_always_slice_the_input(parts: list[str]) -> None:
    matcher = Matcher(
        [
            Pattern("Iran", "IRN"),
            Pattern("Iraq", "IRQ"),
            Pattern("US", "USA", case_sensitive=True),
            Pattern("中国", "CHN"),
            Pattern("中国地方", None),
            Pattern("러시아", "RUS"),
        ]
    )
    text = "".join(parts)
    found = matcher.find(text)
    for match in found:
        assert text[match.start : match.end] == match.text
    for before, after in zip(found, found[1:], strict=False):
        assert before.end <= after.start


def test_both_automaton_backends_give_the_same_matches(monkeypatch) -> None:
    """ahocorasick-rs when installed, pyahocorasick otherwise: the same matches either way."""
    from ingest.tagging import matcher as module

    patterns = [
        Pattern("China", "CHN", case_sensitive=True),
        Pattern("South China Sea", None),
        Pattern("中国", "CHN"),
        Pattern("中国地方", None),
        Pattern("Росси", "RUS", prefix=True),
        Pattern("러시아", "RUS"),
    ]
    text = "China, the South China Sea, 中国地方と中国, в России, 러시아의"
    first = Matcher(patterns).find(text)
    monkeypatch.setattr(module, "_ahocorasick_rs", None)
    second = Matcher(patterns).find(text)
    assert first == second
    assert [m.payload for m in first] == ["CHN", None, None, "CHN", "RUS", "RUS"]


def test_a_scan_under_way_when_another_thread_switches_automata_still_finds_its_matches() -> None:
    """A matcher read from the cache switches from its pyahocorasick automaton to the Rust one
    (``SWITCH_CHARS_PER_KEY``) while other threads scan (the poller tags from many). Thread A is
    held inside its scan after it has read which automaton to use; thread B crosses the
    threshold, switches and drops the pyahocorasick automaton; A must still find what a
    freshly built matcher finds. Needs ahocorasick-rs (the switch)."""
    from ingest.tagging import matcher as module

    if module._ahocorasick_rs is None:
        pytest.skip("ahocorasick-rs is not installed: nothing to switch to")
    patterns = [Pattern("Russia", "RUS"), Pattern("Ukraine", "UKR")]
    patterns += [Pattern(f"zz{index}q", index) for index in range(100)]
    built = Matcher(patterns)
    loaded = pickle.loads(pickle.dumps(built))
    scanner = loaded._scanner
    held, switched = threading.Event(), threading.Event()

    class Count(int):  # holds thread A where the scan reads how many keys there are
        def __rmul__(self, other: int) -> int:
            if threading.current_thread().name == "A" and not held.is_set():
                held.set()
                switched.wait(10)
            return int(self) * other

    scanner._count = Count(scanner._count)
    found: dict[str, list] = {}

    def scan_a() -> None:
        found["A"] = loaded.find("Russia and Ukraine")

    def switch_b() -> None:
        held.wait(10)
        found["B"] = loaded.find("Russia " * 40)  # past 2 characters a key: switches
        switched.set()

    threads = [threading.Thread(target=scan_a, name="A"), threading.Thread(target=switch_b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert held.is_set() and switched.is_set()
    assert scanner.backend == "rust"
    assert found["A"] == built.find("Russia and Ukraine")
    assert [m.payload for m in found["A"]] == ["RUS", "UKR"]
    assert found["B"] == built.find("Russia " * 40)


def test_a_matcher_pickled_by_another_python_is_not_loaded(monkeypatch) -> None:
    """Its packed entries are marshal data, whose format is the interpreter's: a cache file
    from another Python version is refused on load (``tagger_cache`` then rebuilds)."""
    from ingest.tagging import matcher as module

    built = Matcher([Pattern("Russia", "RUS")])
    here = pickle.dumps(built)
    monkeypatch.setattr(module, "sys", SimpleNamespace(version_info=(3, 99, 0)))
    elsewhere = pickle.dumps(built)
    monkeypatch.undo()
    assert [m.payload for m in pickle.loads(here).find("in Russia")] == ["RUS"]
    with pytest.raises(ValueError, match="another Python version"):
        pickle.loads(elsewhere)
