from crawler.extraction.language import declared_language, detect_language

ENGLISH = (
    "The leaders of the Collective Security Treaty Organization met by video link on Monday and "
    "agreed that the peacekeeping mission in Kazakhstan would end once its tasks were completed. "
) * 3
RUSSIAN = (
    "Лидеры стран Организации Договора о коллективной безопасности провели в понедельник "
    "внеочередную сессию в формате видеоконференции и обсудили ситуацию в Казахстане. "
) * 3
KAZAKH = (
    "Қазақстан Президенті Қасым-Жомарт Тоқаев ҰҚШҰ ұжымдық қауіпсіздік кеңесінің "
    "отырысына қатысты. " * 3
)


def test_detects_from_text() -> None:
    assert detect_language(ENGLISH) == "en"
    assert detect_language(RUSSIAN) == "ru"
    assert detect_language(KAZAKH) == "kk"


def test_text_beats_wrong_declaration() -> None:
    assert detect_language(RUSSIAN, "en-US") == "ru"


def test_declaration_decides_for_short_text() -> None:
    assert detect_language("CSTO", "ru") == "ru"
    assert detect_language("", "en-GB") == "en"
    assert detect_language("") is None


def test_declared_language_forms() -> None:
    assert declared_language("ru_RU") == "ru"
    assert declared_language("en-GB, en") == "en"
    assert declared_language("English") is None
