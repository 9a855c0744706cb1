"""Topic tagging: the lexicon data file, the matching rules, the evidence."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import ingest.tagging as tagging
from ingest import store
from ingest.records import tagging_text
from ingest.tagging import topics
from ingest.tagging.matcher import normalize

REPO = Path(__file__).resolve().parent.parent
GOLD = REPO / "tests" / "fixtures" / "gold-dev.jsonl"
# TAGGING.md's taxonomy, in its order.
TAXONOMY = [
    "military",
    "conflict",
    "diplomacy",
    "sanctions",
    "trade",
    "energy",
    "nuclear",
    "politics",
    "unrest",
    "humanitarian",
    "rights",
    "cyber_tech",
]
# Languages the issue requires, plus the ones we poll.
REQUIRED_LANGUAGES = {
    "en",
    "id",
    "ms",
    "ru",
    "uk",
    "ko",
    "ja",
    "zh",
    "ar",
    "fa",
    "tr",
    "fr",
    "de",
    "es",
    "pt",
}
POLLED_LANGUAGES = {"it", "el", "hi", "ur"}


def topic_names(text: str, language: str | None = None) -> list[str]:
    return [tag.topic for tag in topics.tag_topics(text, language)]


# --- the data file -----------------------------------------------------------------------------


def test_the_lexicon_has_exactly_the_taxonomy_in_order() -> None:
    assert topics.topic_ids() == TAXONOMY


def test_every_topic_has_words_in_every_supported_language() -> None:
    lexicon = topics.load_lexicon()
    assert topics.languages() >= REQUIRED_LANGUAGES | POLLED_LANGUAGES
    for topic in TAXONOMY:
        for language in topics.languages():
            assert lexicon[topic].get(language), f"{topic} has no {language} keywords"


def test_no_duplicate_keyword_within_a_topic_and_language() -> None:
    for topic, table in topics.load_lexicon().items():
        for language, words in table.items():
            seen: set[str] = set()
            for word in words:
                text, case_sensitive, suffix = topics.parse_keyword(word)
                key = normalize(text, case_sensitive=case_sensitive), suffix
                assert key not in seen, f"{topic}/{language}: {word!r} twice"
                seen.add(key)


def test_no_keyword_is_claimed_by_two_topics_in_one_language() -> None:
    owner: dict[tuple[str, str, bool], str] = {}
    for topic, table in topics.load_lexicon().items():
        for language, words in table.items():
            for word in words:
                text, case_sensitive, _ = topics.parse_keyword(word)
                key = (language, normalize(text, case_sensitive=case_sensitive), case_sensitive)
                assert key not in owner, f"{word!r} ({language}) in {owner.get(key)} and {topic}"
                owner[key] = topic


def test_every_keyword_is_clean() -> None:
    for topic, table in topics.load_lexicon().items():
        for language, words in table.items():
            for word in words:
                text, _, _ = topics.parse_keyword(word)
                assert text and text == text.strip(), f"{topic}/{language}: {word!r}"
                assert "*" not in text, f"{topic}/{language}: {word!r} has a * inside"


def test_parse_keyword() -> None:
    assert topics.parse_keyword("sanction*") == ("sanction", False, topics.STEM_SUFFIX)
    assert topics.parse_keyword("Krieg**") == ("Krieg", False, topics.COMPOUND_SUFFIX)
    assert topics.parse_keyword("UN") == ("UN", True, 0)
    assert topics.parse_keyword("G7") == ("G7", True, 0)
    assert topics.parse_keyword("Covid") == ("Covid", False, 0)
    assert topics.parse_keyword("전쟁") == ("전쟁", False, 0)


# --- matching ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "language", "topic"),
    [
        ("Moscow says new sanctions will not work", "en", "sanctions"),
        ("Евросоюз ввел санкции против России", "ru", "sanctions"),
        ("ЕС согласовал новый пакет санкциями", "ru", "sanctions"),
        ("Ermittlungen wegen Kriegsverbrechen in der Ukraine", "de", "conflict"),
        ("러시아, 우크라이나 전쟁에서 새로운 공세", "ko", "conflict"),
        ("中国外交部召见缅甸驻华大使", "zh", "diplomacy"),
        ("北朝鮮が弾道ミサイルを発射", "ja", "nuclear"),
        ("Harga minyak dunia naik tajam", "id", "energy"),
        ("Pengunjuk rasa bentrok dengan polisi di Jakarta", "id", "unrest"),
        ("Des milliers de manifestants contre la réforme", "fr", "unrest"),
        ("Türkiye ile Yunanistan arasında yeni ticaret anlaşması", "tr", "trade"),
        ("وزارة الخارجية تستدعي السفير", "ar", "diplomacy"),
        ("والعقوبات الأمريكية على إيران", "ar", "sanctions"),
        ("مذاکرات هسته‌ای ایران و آمریکا", "fa", "nuclear"),
        ("سیلاب سے ہزاروں افراد بے گھر", "ur", "humanitarian"),
        ("Tribunal condena ex-ministro por corrupção", "pt", "rights"),
        ("Ataque de hackers contra el ministerio", "es", "cyber_tech"),
        ("Elezioni regionali, vince il centrodestra", "it", "politics"),
        ("Νέες κυρώσεις κατά της Ρωσίας", "el", "sanctions"),
        ("सेना ने सीमा पर मिसाइल तैनात की", "hi", "military"),
        ("Партія Слуга народу втратила більшість у парламенті", "uk", "politics"),
        ("Perdana Menteri umum pilihan raya mengejut", "ms", "politics"),
    ],
)
def test_a_keyword_of_the_language_tags_its_topic(text: str, language: str, topic: str) -> None:
    assert topic in topic_names(text, language)


def test_longest_match_wins() -> None:
    assert topic_names("Work resumes at the nuclear power plant", "en") == ["energy"]
    assert topic_names("A trade war looms", "en") == ["trade"]
    assert topic_names("Nuclear weapons top the summit agenda", "en") == ["diplomacy", "nuclear"]


def test_acronyms_match_case_sensitively() -> None:
    assert "diplomacy" in topic_names("The UN Security Council meets", "en")
    assert "diplomacy" not in topic_names("Il y a un vote au Sénat", "fr")
    assert "cyber_tech" in topic_names("New rules for AI models", "en")
    assert "cyber_tech" not in topic_names("Ai margini della città", "it")


def test_english_acronyms_count_in_every_language() -> None:
    # Russian lexicon writes МАГАТЭ; the English acronym IAEA still counts in a Russian text.
    assert "nuclear" in topic_names("Инспекторы IAEA прибыли на станцию", "ru")


def test_blockers_hide_the_keywords_inside_them() -> None:
    assert topic_names("Pria meninggal karena serangan jantung", "id") == []
    assert topic_names("Van Dijk wins world time trial title", "en") == []
    assert "trade" not in topic_names("A trade union member was charged", "en")
    assert topic_names("핵심 공격수 영입", "ko") == []
    # 금수 is an embargo (禁輸), but not in 금수저 (a golden spoon) or 금수강산 (錦繡江山).
    assert topic_names("31조 가졌던 금수저 女부호", "ko") == []
    assert topic_names("삼천리 금수강산", "ko") == []
    assert "sanctions" in topic_names("무기 금수조치 해제", "ko")
    # 買収 is an acquisition (trade), but vote-buying in 買収事件, 買収容疑, 票の買収.
    assert topic_names("大規模買収事件で元法相に実刑", "ja") == []
    assert topic_names("票の買収容疑で逮捕", "ja") == []
    assert "trade" in topic_names("企業買収で合意", "ja")
    # "talks" the noun is diplomacy; the verb of a person who talks about or up a thing is not.
    assert topic_names("Matt Damon talks about fatherhood", "en") == []
    assert topic_names("Coach talks up his team's chances", "en") == []
    assert topic_names("Leaders hold talks in Cairo", "en") == ["diplomacy"]


def test_every_blocker_of_the_lexicon_tags_nothing_of_the_words_inside_it() -> None:
    """Each phrase of ``[blockers]`` in topics.toml (read here directly, not through the
    tagger's loader), written out in its language, tags no topic, although a keyword lies
    inside it (Korean 핵심, Japanese 買収事件): a blocker removed or broken fails here."""
    import tomllib  # noqa: PLC0415

    table = tomllib.loads((REPO / "ingest" / "data" / "topics.toml").read_text("utf-8"))
    inside = 0
    for language, phrases in table["blockers"].items():
        for phrase in phrases:
            text = phrase.rstrip("*")
            assert topic_names(text, language) == [], (language, phrase)
            words = {w for p in text.split() for w in (p, p[:2], p[-2:]) if len(w) >= 2}
            inside += any(topic_names(w, language) for w in words)
    assert inside >= 10  # most blockers hide a keyword: the test is not vacuous


def test_on_the_same_word_the_longer_keyword_wins() -> None:
    # Krieg** (conflict) and Kriegsflüchtling* (humanitarian) both cover the whole word: a
    # compound is its last element, so the longer, more specific keyword decides.
    assert topic_names("Kriegsflüchtlinge aus Bosnien", "de") == ["humanitarian"]
    assert topic_names("Kriegsverbrechen in Bosnien", "de") == ["conflict"]
    assert topic_names("Koalitionspartner uneinig", "de") == ["politics"]


def test_german_noun_keywords_match_nouns_only() -> None:
    # German capitalises nouns: Gericht* (court) is not the participle gerichtete (directed).
    assert topic_names("Das Gericht urteilt heute", "de") == ["rights"]
    assert topic_names("Eine an alle gerichtete Bitte", "de") == []


def test_hindi_kar_is_a_verb_unless_a_tax_compound() -> None:
    # कर is tax, and the everyday verb "do" (बेदखल कर दिया): only tax compounds count.
    assert topic_names("उन्हें बेदखल कर दिया गया", "hi") == []
    assert topic_names("आयकर विभाग का छापा", "hi") == ["trade"]


def test_indonesian_court_words_in_their_other_senses() -> None:
    # sidang is a court hearing, and any session; menjadi saksi is "witnessed".
    assert topic_names("Sidang Kabinet membahas anggaran", "id") == []
    assert topic_names("Warga menjadi saksi kebakaran itu", "id") == []
    assert topic_names("Sidang perdana terdakwa digelar", "id") == ["rights"]


def test_inflected_forms_of_a_whole_language() -> None:
    # Indonesian verbs take di-/me-/pe- forms: each is listed, not only the root.
    for text in ("Dua ABK disandera kelompok bersenjata", "Pelaku mengebom gereja",
                 "Pemboman di Sri Lanka"):  # fmt: skip
        assert topic_names(text, "id") == ["conflict"], text
    assert topic_names("Iran budget seeks privatisation of state firms", "en") == ["trade"]
    assert topic_names("Приватизация госкомпаний", "ru") == ["trade"]


def test_a_longer_keyword_of_another_topic_wins() -> None:
    # A domestic energy price cap is energy news, not a sanction; an oil price cap on a
    # country's exports is both.
    assert topic_names("Energy price cap to rise in April", "en") == ["energy"]
    assert topic_names("Oil price cap on Russian crude", "en") == ["sanctions", "energy"]


def test_keywords_of_other_languages_do_not_fire_when_the_language_is_known() -> None:
    # German "war" (was) is not the English keyword "war" when the article is German...
    assert topic_names("Der Abend war schön", "de") == []
    # ...but with no language known, every lexicon is searched.
    assert "conflict" in topic_names("Der Abend war schön", None)
    # A language without a lexicon also searches them all.
    assert "conflict" in topic_names("The war goes on", "nl")


def test_word_boundaries_hold_in_spaced_scripts() -> None:
    assert topic_names("The warden said the detention was legal", "en") == ["rights"]  # not war
    assert "conflict" not in topic_names("Software award winners", "en")


def test_topics_come_in_taxonomy_order_with_keyword_evidence() -> None:
    text = "Sanctions, protests and an election after the war"
    tags = topics.tag_topics(text, "en")
    assert [tag.topic for tag in tags] == ["conflict", "sanctions", "politics", "unrest"]
    for tag in tags:
        assert tag.evidence
        for item in tag.evidence:
            assert item.type == "keyword"
            assert text[item.start : item.start + len(item.text)] == item.text


def test_evidence_offsets_index_the_tagging_text_on_the_gold() -> None:
    checked = 0
    for line in GOLD.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        text = tagging_text(row["title"], row["summary"])
        for tag in topics.tag_topics(text, row["lang"]):
            for item in tag.evidence:
                assert text[item.start : item.start + len(item.text)] == item.text
                checked += 1
    assert checked > 100


def test_stems_extend_to_the_inflected_word() -> None:
    tags = topics.tag_topics("Запад расширил санкции против банков", "ru")
    assert [(tag.topic, [item.text for item in tag.evidence]) for tag in tags] == [
        ("sanctions", ["санкции"])
    ]


# --- the tagger version follows the data -------------------------------------------------------


@pytest.fixture
def ingest_copy(tmp_path: Path) -> Path:
    """A copy of ingest/ (without the demo snapshots), to edit without touching the real one."""
    copy = tmp_path / "ingest"
    shutil.copytree(
        tagging.INGEST_DIR, copy, ignore=shutil.ignore_patterns("demo", "__pycache__", "*.geojson")
    )
    return copy


def _version(root: Path) -> str:
    return tagging.tagger_version(tagging.tagger_files(root), root)


def _touch_one_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def test_tagger_version_is_the_running_tagger_and_fits_its_column() -> None:
    assert _version(tagging.INGEST_DIR) == tagging.TAGGER_VERSION
    length = store.articles.c.tagger_version.type.length
    assert 8 <= len(tagging.TAGGER_VERSION) <= length


def test_every_tagger_file_changes_the_version(ingest_copy: Path) -> None:
    """One byte of any tagging code or data file changes the version (so `retag` sees it)."""
    files = tagging.tagger_files(ingest_copy)
    names = {f.relative_to(ingest_copy).as_posix() for f in files}
    # The rules: the code that tags, the lexicon, every gazetteer table and the context words.
    assert {"tagging/countries.py", "tagging/matcher.py", "tagging/topics.py"} <= names
    assert {"language.py", "data/topics.toml", "data/gazetteer/context_words.toml"} <= names
    assert {"tagging/topic_model.py", "tagging/topic_features.py"} <= names
    assert {"data/topic_model.json", "data/topic_model.npy"} <= names  # the trained model
    assert not any("build_" in name or "training" in name for name in names)  # not the recipe
    tables = {f"data/gazetteer/{p.name}" for p in (ingest_copy / "data/gazetteer").glob("*.tsv")}
    assert tables and tables <= names
    seen = {_version(ingest_copy)}
    for path in files:
        _touch_one_byte(path)
        version = _version(ingest_copy)
        assert version not in seen, path
        seen.add(version)


def test_documentation_and_build_files_do_not_change_the_version(ingest_copy: Path) -> None:
    before = _version(ingest_copy)
    others = [
        ingest_copy / "data/gazetteer/README.md",
        ingest_copy / "data/gazetteer/build-requirements.txt",
        ingest_copy / "tagging/build_gazetteer.py",
        ingest_copy / "tagging/build_places.py",
        ingest_copy / "data/feeds.toml",  # the feed catalogue is not tagger data
    ]
    for path in others:
        assert path.is_file(), path
        _touch_one_byte(path)
        assert _version(ingest_copy) == before, path


# A word with two senses is listed only in the phrases that carry the topic's sense
# (topics.toml's header): its other sense proposes nothing, its topic sense still does.
HOMOGRAPHS = [
    ("ko", "시위대가 광장에서 정부를 규탄하는 구호를 외쳤다", "humanitarian", False),
    ("ko", "국제 구호단체들이 피해 지역에 구호품을 전달했다", "humanitarian", True),
    ("el", "Οι καλλιτέχνες δουλεύουν σε αυτή τη συνθήκη της απομόνωσης", "diplomacy", False),
    ("el", "Οι δύο χώρες υπέγραψαν συνθήκη ειρήνης στη Γενεύη", "diplomacy", True),
    # A protest lodged with an ambassador is diplomacy, not unrest (ja, zh, ko).
    ("ja", "茂木外相が駐日ロシア大使に抗議した", "unrest", False),
    ("ja", "首相官邸前で市民の抗議活動が続いた", "unrest", True),
    ("zh", "外交部对此表示强烈抗议", "unrest", False),
    ("zh", "数千名抗议者在市中心示威", "unrest", True),
    ("ko", "외교부는 일본 대사를 불러 항의했다", "unrest", False),
    ("ko", "노조가 공장 앞에서 항의 시위를 벌였다", "unrest", True),
    # A football "attack point" is no attack.
    ("ko", "손흥민 3경기 연속 공격포인트", "conflict", False),
    ("ko", "러시아군이 키이우를 공격했다", "conflict", True),
    # Hindi शेयर: sharing a photo, or shares on the market.
    ("hi", "अभिनेत्री ने फैंस के साथ तस्वीरें शेयर कीं", "trade", False),
    ("hi", "शेयर बाजार में भारी गिरावट", "trade", True),
    # Russian визитки are business cards.
    ("ru", "Он раздавал визитки гостям", "diplomacy", False),
    ("ru", "Визит президента в Китай", "diplomacy", True),
    # 中核 is "the core" (中核施設, 中核市), no nuclear 核.
    ("ja", "高松シンボルタワーの中核施設を縮小へ", "nuclear", False),
    ("ja", "北朝鮮の核施設を査察", "nuclear", True),
    # Indonesian local fees are not trade.
    ("id", "Tarif parkir di Jakarta naik mulai besok", "trade", False),
    ("id", "Perang tarif Amerika dan China memanas", "trade", True),
    # Arabic حظر is any ban (on smoking, a curfew); only an arms or trade ban is a sanction.
    ("ar", "الحكومة تمدد حظر التدخين في الأماكن العامة", "sanctions", False),
    ("ar", "مجلس الأمن يمدد حظر الأسلحة على ليبيا", "sanctions", True),
    # Spanish "bloqueo" is any blockade (of a road); an economic one is a sanction.
    ("es", "Transportistas anuncian bloqueo de la carretera", "sanctions", False),
    ("es", "Cuba denuncia el bloqueo económico de Estados Unidos", "sanctions", True),
    # Italian "nato" is "born"; the alliance is la Nato, della Nato, NATO.
    ("it", "Mario Rossi, nato a Roma nel 1950, è morto ieri", "military", False),
    ("it", "Il segretario generale della Nato a Bruxelles", "military", True),
    # A bag or a scholarship is no stock exchange: borsa, bolsa, bourse.
    ("it", "Ha vinto una borsa di studio a Bologna", "trade", False),
    ("it", "Piazza Affari chiude in rialzo", "trade", True),
    ("es", "Prohíben la bolsa de plástico en los supermercados", "trade", False),
    ("es", "La Bolsa de Madrid cae un 2%", "trade", True),
    ("fr", "Il obtient une bourse d'études", "trade", False),
    ("fr", "La Bourse de Paris termine en baisse", "trade", True),
    # Persian دیدار is a meeting and a football match; Hebrew הטיל is "cast", not ה + missile.
    ("fa", "دیدار پرسپولیس و استقلال در ورزشگاه آزادی", "diplomacy", False),
    ("fa", "دیدار رسمی وزیر خارجه با همتای ترک خود", "diplomacy", True),
    ("he", "היועץ הטיל פצצה על הדיון בוועדה", "military", False),
    ("he", "איראן שיגרה טילים לעבר ישראל", "military", True),
    # Turkish ziyaret is any visit; a state or official one is diplomacy.
    ("tr", "Hasta yakınlarını hastanede ziyaret etti", "diplomacy", False),
    ("tr", "Cumhurbaşkanının resmi ziyareti başladı", "diplomacy", True),
    # Vietnamese: the ASEAN Cup is football.
    ("vi", "Việt Nam vào chung kết ASEAN Cup", "diplomacy", False),
    ("vi", "Hội nghị thượng đỉnh ASEAN tại Kuala Lumpur", "diplomacy", True),
    # Ukrainian робота is work (a job): роботи, роботу are its forms, not robots.
    ("uk", "Уряд обіцяє людям нову роботу, а робота вчителів буде оплачена", "cyber_tech", False),
    ("uk", "Умови роботи шахтарів погіршилися", "cyber_tech", False),
    ("uk", "На заводі працюють сотні роботів і робот-зварювальник", "cyber_tech", True),
    ("uk", "Роботизовані системи розмінування", "cyber_tech", True),
    # Hindi प्रतिबंध, पाबंदी: any ban (lockdown curbs, liquor); a sanction is a state's.
    ("hi", "लॉकडाउन में आवाजाही पर प्रतिबंध जारी रहेगा", "sanctions", False),
    ("hi", "गुजरात और बिहार में शराब पर पाबंदी है", "sanctions", False),
    ("hi", "अमेरिका ने रूस पर प्रतिबंध लगाए", "sanctions", True),
    ("hi", "ईरान पर अमेरिकी प्रतिबंधों का असर", "sanctions", True),
    # Hindi पार्टी: a celebration, or a political party.
    ("hi", "कनिका कपूर की पार्टी में कई मेहमान पहुंचे", "politics", False),
    ("hi", "अभिनेत्री ने दोस्तों को जन्मदिन की पार्टी दी", "politics", False),
    ("hi", "आम आदमी पार्टी ने दिल्ली में जीत दर्ज की", "politics", True),
    ("hi", "पार्टी के नेताओं ने बैठक की", "politics", True),
    # Persian اعتراض: an objection (to a referee, to a verdict), or a protest in the street.
    ("fa", "باشگاه پرسپولیس به رای کمیته انضباطی اعتراض کرد", "unrest", False),
    ("fa", "بازیکنان به تصمیم داور معترض بودند", "unrest", False),
    ("fa", "اعتراضات خیابانی در چند شهر ادامه دارد", "unrest", True),
    ("fa", "معترضان در برابر مجلس تجمع کردند", "unrest", True),
    # Turkish: a university of technology, educational technology, are no tech news.
    ("tr", "TOBB Ekonomi ve Teknoloji Üniversitesinin sertifika programı", "cyber_tech", False),
    ("tr", "Eğitim Teknolojileri Zirvesi İstanbul'da başlıyor", "cyber_tech", False),
    ("tr", "ABD, Çin'e teknoloji ihracatını kısıtladı", "cyber_tech", True),
    # Turkish zirve is a summit and a peak (of a list, a league); yaptırım a sanction and any
    # legal penalty.
    ("tr", "Şarkı listelerin zirvesine yerleşti ve zirvede kaldı", "diplomacy", False),
    ("tr", "Takım ligin zirvesine oturdu", "diplomacy", False),
    ("tr", "NATO Zirvesi Lahey'de toplandı", "diplomacy", True),
    ("tr", "Liderler zirve toplantısında bir araya geldi", "diplomacy", True),
    (
        "tr",
        "Kurallara uymayanlara idari yaptırım ve cezai yaptırım uygulanacak",
        "sanctions",
        False,
    ),
    ("tr", "AB, Rusya'ya yeni yaptırımlar uyguladı", "sanctions", True),
    # A hunger strike is a protest (unrest), not hunger: açlık grevi, hunger strike, голодовка.
    ("tr", "Tutuklu öğretmenler açlık grevini sürdürüyor", "humanitarian", False),
    ("tr", "Tutuklu öğretmenler açlık grevini sürdürüyor", "unrest", True),
    ("tr", "Afrika'da milyonlarca insan açlık tehlikesiyle karşı karşıya", "humanitarian", True),
    ("en", "Relatives of political prisoners stage hunger strike", "humanitarian", False),
    ("en", "Relatives of political prisoners stage hunger strike", "unrest", True),
    ("en", "Hunger spreads in Sudan as aid is blocked", "humanitarian", True),
    ("ru", "Заключенный объявил голодовку", "humanitarian", False),
    ("ru", "Заключенный объявил голодовку", "unrest", True),
    ("ru", "Голод угрожает миллионам людей", "humanitarian", True),
    ("fr", "Un détenu en grève de la faim depuis 30 jours", "humanitarian", False),
    ("es", "Presos políticos en huelga de hambre", "humanitarian", False),
    # Italian coprifuoco is the Covid curfew; riots come with their own words.
    ("it", "Coprifuoco alle 23 e zone gialle: le nuove regole", "unrest", False),
    ("it", "Disordini e scontri a Nouméa, scatta il coprifuoco", "unrest", True),
    # An administrative or disciplinary sanction is a penalty, not a state's sanction.
    ("it", "Multa e sanzione amministrativa per il locale di Milano", "sanctions", False),
    ("it", "Sanzioni disciplinari per due agenti", "sanctions", False),
    ("it", "L'Ue approva nuove sanzioni contro la Russia", "sanctions", True),
    ("fr", "Le joueur écope d'une sanction disciplinaire", "sanctions", False),
    ("fr", "Nouvelles sanctions contre l'Iran", "sanctions", True),
    ("es", "Multa y sanción administrativa al restaurante", "sanctions", False),
    ("es", "Estados Unidos impone sanciones a Venezuela", "sanctions", True),
    ("pt", "Servidor sofre sanção disciplinar", "sanctions", False),
    ("pt", "Novas sanções contra a Rússia", "sanctions", True),
    ("it", "Il solito gioco al massacro tra i partiti", "conflict", False),
    ("it", "Il massacro di civili a Bucha", "conflict", True),
    # French procès is a trial, but not in a procès-verbal (a report, a fine) or procès d'intention.
    ("fr", "Les gendarmes ont dressé un procès-verbal au conducteur", "rights", False),
    ("fr", "Le ministre dénonce un procès d'intention", "rights", False),
    ("fr", "Le procès de l'opposant s'ouvre à Tunis", "rights", True),
    # Italian bollettino is a bulletin (the day's Covid bulletin); a bolletta is a bill.
    ("it", "Il bollettino di oggi: 300 nuovi casi", "energy", False),
    ("it", "Caro bollette, aiuti alle famiglie", "energy", True),
    # Russian and Ukrainian кандидат наук is an academic degree, not a candidate for office.
    ("ru", "Он стал кандидатом экономических наук в 2001 году", "politics", False),
    ("ru", "Кандидат в президенты зарегистрирован", "politics", True),
    ("uk", "Вона кандидат історичних наук", "politics", False),
    ("uk", "Кандидат у президенти провів зустріч", "politics", True),
]


# French drops the accent of a capital letter: a keyword that begins a word with an accented
# letter matches with it plain, in French only.
CAPITAL_ACCENTS = [
    ("fr", "Tentative de coup d'Etat au Niger", "politics", True),
    ("fr", "Election présidentielle: le premier tour reporté", "politics", True),
    ("fr", "Emeutes à Nouméa après le vote", "unrest", True),
    ("es", "Emeutes", "unrest", False),
]


def test_the_capital_accent_variant_drops_word_initial_accents_only() -> None:
    assert topics.capital_accent_variant("coup d'État") == "coup d'Etat"
    assert topics.capital_accent_variant("élection*") == "election*"
    assert topics.capital_accent_variant("armée") == "armée"


@pytest.mark.parametrize(("language", "text", "topic", "proposed"), HOMOGRAPHS + CAPITAL_ACCENTS)
def test_a_homograph_proposes_its_topic_only_in_that_sense(
    language: str, text: str, topic: str, proposed: bool
) -> None:
    found = topics.tag_topics(text, language=language)
    assert (topic in {tag.topic for tag in found}) is proposed


# --- a place's own name is not a topic keyword ----------------------------------------------------
GAZETTEER = Path(tagging.__file__).resolve().parent.parent / "data" / "gazetteer"


def _place_rows() -> list[tuple[str, str | None]]:
    """(surface, language) of every place row of the gazetteer (``*``: no language given)."""
    rows = []
    for name in ("places.tsv", "cldr_cities.tsv"):
        for line in (GAZETTEER / name).read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if line.startswith("#") or parts[0] == "surface" or len(parts) < 3:
                continue
            if parts[2] != "place" or parts[1] == "-":
                continue
            languages = parts[3].split(",") if len(parts) > 3 and parts[3] not in ("", "*") else []
            rows += [(parts[0], language) for language in languages or [None]]
    return rows


def test_a_keyword_that_is_a_place_name_tags_no_topic_but_a_word_after_it_does() -> None:
    """Every place of the gazetteer whose text the lexicon also matches (Газа, Gaza, as газа, of
    gas), read as a place in a sentence: a keyword on the place's first word is no evidence (and
    its topic goes when nothing else holds it); a keyword after it stays (Georgia *election*,
    Запорожская *АЭС*). The oracle: the lexicon's own matches on the surface alone."""
    on_name = after_name = 0
    for surface, language in _place_rows():
        hits = topics.tag_topics(surface, language)
        if not hits:
            continue
        first_end = len(surface.split(" ", 1)[0])
        text = f"{surface} — 2024"
        tags = tagging.tag_article(text, "", language_hint=language, decide_topics=False)
        places = [e for c in tags.countries for e in c.evidence if e.type == "place"]
        if not any(e.start == 0 for e in places):
            continue  # the country tagger reads it otherwise (a longer name, a blocker)
        kept = {(t.topic, e.start) for t in tags.topics for e in t.evidence}
        for hit in hits:
            for item in hit.evidence:
                if item.start < first_end:
                    on_name += 1
                    assert (hit.topic, item.start) not in kept, (surface, language, hit.topic)
                else:
                    after_name += 1
                    assert (hit.topic, item.start) in kept, (surface, language, hit.topic)
    assert on_name >= 5 and after_name >= 5
