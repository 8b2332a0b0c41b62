"""Pinyin keys for personal names, used to sort the roster and to search it by pinyin.

Surnames are read as surnames (曾 zeng, 单 shan, 尉迟 yuchi…) from ``SURNAME_READINGS``;
the given name goes through pypinyin. Tones are dropped and ü is written 'v' (吕 -> 'lv').
ASCII letters in a name are kept, lower-cased; other characters ('·', digits) are dropped.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

from pypinyin import Style, lazy_pinyin, pinyin

from app.core.codes import SURNAME_READINGS

_LETTER_RUNS = re.compile(r"[a-z]+")
_PINYIN_QUERY = re.compile(r"[a-z]+")
# Whitespace not between two ASCII letters: '张 三' is 张三, but 'Tom Lee' keeps two words.
_INNER_SPACE = re.compile(r"(?<![A-Za-z])\s+|\s+(?![A-Za-z])")
# Start of the CJK blocks (U+2E80); anything at or above it is not an ASCII word.
_FIRST_HAN = 0x2E80
# Bounded so a long-running process does not keep every name it has ever seen; large enough
# that the three keys computed per name while seeding share one pypinyin call.
_CACHE_SIZE = 1 << 16


def _split_compound(surname: str, reading: str) -> tuple[str, ...]:
    """Split a compound surname's reading into one syllable per character (尉迟 -> yu, chi).

    Initials count each character, so 'yuchi' must become ('yu', 'chi'). The split point
    is found among the characters' possible readings; failing that the reading stays whole.
    """
    first, second = (
        pinyin(char, style=Style.NORMAL, heteronym=True, v_to_u=False)[0] for char in surname
    )
    for head in first:
        if reading.startswith(head) and reading[len(head) :] in second:
            return (head, reading[len(head) :])
    return (reading,)


_COMPOUND_SURNAMES = {
    surname: _split_compound(surname, reading)
    for surname, reading in SURNAME_READINGS.items()
    if len(surname) == 2
}
_SINGLE_SURNAMES = {
    surname: (reading,) for surname, reading in SURNAME_READINGS.items() if len(surname) == 1
}


@cache  # bounded by the number of distinct characters
def _single_reading(char: str) -> str | None:
    """The only toneless reading of a Han character; None if it has several or none, or if
    the character is not Han (ASCII words must stay whole, not split letter by letter)."""
    if ord(char) < _FIRST_HAN:
        return None
    readings = set(pinyin(char, style=Style.NORMAL, heteronym=True, v_to_u=False)[0])
    if len(readings) != 1:
        return None
    (reading,) = readings
    return reading if _PINYIN_QUERY.fullmatch(reading) else None


@lru_cache(maxsize=_CACHE_SIZE)
def _plain_syllables(text: str) -> tuple[str, ...]:
    """pypinyin's reading of text, one lowercase a-z string per syllable or ASCII word."""
    # Fast path, same result: characters with a single reading read the same in any word,
    # so only text with a polyphone needs pypinyin's word segmentation (about 25 µs a call).
    fast = tuple(_single_reading(char) for char in text)
    if None not in fast:
        return fast
    syllables: list[str] = []
    # Han characters come back one syllable each; other runs come back whole ('Tom·Lee'),
    # so pulling out the letter runs keeps ASCII words and drops '·', digits and the like.
    for item in lazy_pinyin(text, style=Style.NORMAL, v_to_u=False):
        syllables.extend(_LETTER_RUNS.findall(item.lower()))
    return tuple(syllables)


@lru_cache(maxsize=_CACHE_SIZE)
def _syllables(name: str) -> tuple[str, ...]:
    """The syllables of a name, its surname read as a surname."""
    text = _INNER_SPACE.sub("", unicodedata.normalize("NFKC", name))
    if not text:
        return ()
    # A compound surname needs a given name after it: a two-character name such as 单于 is
    # far more likely 单 (shan) + 于 than the bare compound surname 单于 (chanyu).
    if len(text) > 2 and text[:2] in _COMPOUND_SURNAMES:
        return _COMPOUND_SURNAMES[text[:2]] + _plain_syllables(text[2:])
    if text[0] in _SINGLE_SURNAMES:
        return _SINGLE_SURNAMES[text[0]] + _plain_syllables(text[1:])
    if len(text) > 1 and ord(text[0]) >= _FIRST_HAN:
        # Other Han surnames are read alone: a name's surname does not form a word with its
        # given name, and the split lets every 王… and 李… share the given name's cache entry.
        return _plain_syllables(text[0]) + _plain_syllables(text[1:])
    return _plain_syllables(text)


def name_pinyin(name: str | None) -> str:
    """Toneless lowercase pinyin, syllables run together: 张三 -> 'zhangsan', 曾巩 -> 'zenggong'."""
    return "".join(_syllables(name)) if name else ""


def name_initials(name: str | None) -> str:
    """First letter of each syllable: 张三 -> 'zs', 尉迟恭 -> 'ycg'."""
    return "".join(s[0] for s in _syllables(name)) if name else ""


def name_sort_key(name: str | None) -> str:
    """A key that orders names by pinyin, syllable by syllable, under byte-wise comparison.

    Syllables are joined by one space: 李明 -> 'li ming', 梁山 -> 'liang shan'. The separator
    must sort below every letter, so that a name whose first syllable is a prefix of
    another's ('li' of 'liang') ends that syllable first and sorts first: ' ' (0x20) < 'a'
    gives 'li ming' < 'liang shan', where the run-together 'liming' > 'liang' would not.
    The key is plain ASCII, so binary collation (SQLite BINARY, PostgreSQL "C") orders it
    the same as Python. Names with the same pinyin (李明, 黎明) get equal keys; order those
    by a second column. Store it in VARCHAR/TEXT, not CHAR, which pads with spaces.
    """
    return " ".join(_syllables(name)) if name else ""


def text_sort_key(text: str | None) -> str:
    """name_sort_key for text that is not a person's name (village names): no surname
    readings, so 长沙村 is 'chang sha cun' and 乐平 'le ping', as pypinyin reads them."""
    if not text:
        return ""
    return " ".join(_plain_syllables(_INNER_SPACE.sub("", unicodedata.normalize("NFKC", text))))


def is_pinyin_query(q: str | None) -> bool:
    """True when q, lower-cased and without spaces, is only letters a-z ('zs', 'Zhang San')."""
    if not q:
        return False
    return _PINYIN_QUERY.fullmatch("".join(q.lower().split())) is not None
