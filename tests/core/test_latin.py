"""Names in Latin letters for badges: Vietnamese without diacritics, Japanese romanised surname first."""

import pytest

from matchmaker.core.latin import is_latin_name, latin_name, romanise_japanese, strip_diacritics


@pytest.mark.parametrize("name, latin", [
    ("Nguyễn Văn Đức", "Nguyen Van Duc"),
    ("Trần Thị Hồng Nhung", "Tran Thi Hong Nhung"),
    ("ĐỖ MINH ĐẠT", "DO MINH DAT"),
    ("đặng  thu   hà", "dang thu ha"),
    ("Nguye\u0302\u0303n", "Nguyen"),  # combining marks (another keyboard) fold the same way
    ("O'Brien-Smith", "O'Brien-Smith"),
])
def test_vietnamese_and_latin_names_lose_their_diacritics(name, latin):
    assert latin_name(name) == latin


@pytest.mark.parametrize("name, latin", [
    ("山田 太郎", "Yamada Taro"),        # surname first, as written
    ("佐藤\u3000花子", "Sato Hanako"),    # ideographic space
    ("鈴木一郎", "Suzuki Ichiro"),        # no space: words still split
    ("井上 陽子", "Inoue Yoko"),          # "ou" before a vowel is two syllables: kept
    ("大野 智", "Ono Satoru"),            # long "oo" written once, as on passports
    ("タナカ ユウコ", "Tanaka Yuko"),      # katakana, long "uu"
    ("ｻﾄｳ ﾊﾅｺ", "Sato Hanako"),          # half-width katakana
])
def test_japanese_names_are_romanised_surname_first(name, latin):
    assert latin_name(name) == latin


def test_romanising_keeps_word_order():
    assert romanise_japanese("太郎 山田") == "Taro Yamada"


@pytest.mark.parametrize("name", ["김민준", "Иван Петров", "", "   ", "!!!"])
def test_other_scripts_give_nothing_to_print(name):
    assert latin_name(name) == ""


def test_strip_diacritics_keeps_other_scripts():
    assert strip_diacritics("Đức 山田") == "Duc 山田"


@pytest.mark.parametrize("value, ok", [
    ("Yamada Taro", True), ("Nguyen Van Duc", True), ("J. O'Neil-Ito", True),
    ("Nguyễn", False), ("山田", False), ("", False), ("123", False), ("<b>x</b>", False),
])
def test_latin_name_check(value, ok):
    assert is_latin_name(value) is ok
