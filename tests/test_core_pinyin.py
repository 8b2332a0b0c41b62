"""Pinyin keys of names: surname readings, initials, sort order and pinyin queries."""

from __future__ import annotations

import pytest
from pypinyin import Style, lazy_pinyin

from app.core.codes import SURNAME_READINGS
from app.core.pinyin import (
    is_pinyin_query,
    name_initials,
    name_pinyin,
    name_sort_key,
    text_sort_key,
)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("张三", "zhangsan"),
        ("王五", "wangwu"),
        ("李明", "liming"),
        ("欧阳修", "ouyangxiu"),
        ("诸葛亮", "zhugeliang"),
        ("吕布", "lvbu"),  # ü is written v
        ("女娲", "nvwa"),
        ("略", "lve"),
        ("阿依古丽·买买提", "ayigulimaimaiti"),  # separator dropped
        ("张 三", "zhangsan"),  # spaces dropped
        ("\u3000张三\t", "zhangsan"),
        ("ＺＨＡＮＧ三", "zhangsan"),  # full-width letters
        ("Tom", "tom"),
        ("Tom Lee", "tomlee"),
        ("张3", "zhang"),  # digits dropped
        ("", ""),
        (None, ""),
    ],
)
def test_name_pinyin(name: str | None, expected: str) -> None:
    assert name_pinyin(name) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("曾小明", "zengxiaoming"),
        ("单田芳", "shantianfang"),
        ("解缙", "xiejin"),
        ("仇英", "qiuying"),
        ("朴树", "piaoshu"),
        ("区家明", "oujiaming"),
        ("查良镛", "zhaliangyong"),
        ("翟志刚", "zhaizhigang"),
        ("覃海", "qinhai"),
        ("盖聂", "genie"),
        ("乐嘉", "yuejia"),
        ("尉迟恭", "yuchigong"),
        ("长孙无忌", "zhangsunwuji"),
        ("万俟卨", "moqixie"),
        ("令狐冲", "linghuchong"),
        ("澹台灭明", "tantaimieming"),
        ("单于丹", "chanyudan"),
        ("缪斯", "miaosi"),
        ("任重", "renzhong"),
        ("重阳", "chongyang"),
    ],
)
def test_surnames_read_as_surnames(name: str, expected: str) -> None:
    assert name_pinyin(name) == expected


@pytest.mark.parametrize(("surname", "reading"), sorted(SURNAME_READINGS.items()))
def test_every_listed_surname_reading_is_used(surname: str, reading: str) -> None:
    assert name_pinyin(surname + "明").startswith(reading)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("单于", "shanyu"),  # two characters: surname 单 and given name 于, not 单于 chanyu
        ("尉迟", "weichi"),  # likewise surname 尉 (wei) and given name 迟
    ],
)
def test_compound_surname_needs_a_given_name(name: str, expected: str) -> None:
    assert name_pinyin(name) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("张三", "zs"),
        ("曾小明", "zxm"),
        ("单田芳", "stf"),
        ("尉迟恭", "ycg"),  # each character of a compound surname counts
        ("长孙无忌", "zswj"),
        ("万俟卨", "mqx"),
        ("欧阳修", "oyx"),
        ("吕布", "lb"),
        ("阿依古丽·买买提", "ayglmmt"),
        ("Tom Lee", "tl"),
        ("", ""),
        (None, ""),
    ],
)
def test_name_initials(name: str | None, expected: str) -> None:
    assert name_initials(name) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("李明", "li ming"),
        ("梁", "liang"),
        ("梁山", "liang shan"),
        ("尉迟恭", "yu chi gong"),
        ("曾小明", "zeng xiao ming"),
        ("Tom Lee", "tom lee"),
        ("", ""),
        (None, ""),
    ],
)
def test_name_sort_key(name: str | None, expected: str) -> None:
    assert name_sort_key(name) == expected


def test_sort_order_is_pinyin_order() -> None:
    names = ["张三", "王五", "曾小明", "李明", "梁山", "单田芳"]
    assert sorted(names, key=name_sort_key) == ["李明", "梁山", "单田芳", "王五", "曾小明", "张三"]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("李明", "梁"),  # 'li' ends before 'liang' goes on
        ("李明", "梁山"),
        ("李", "李明"),  # a prefix sorts first
        ("张三", "章子怡"),  # zhang san < zhang zi yi
        ("安", "白"),
        ("陆", "吕"),  # lu < lv
        ("单田芳", "沈"),  # shan < shen
    ],
)
def test_sort_key_compares_syllable_by_syllable(first: str, second: str) -> None:
    assert name_sort_key(first) < name_sort_key(second)
    # Stored with binary collation, the database compares the UTF-8 bytes.
    assert name_sort_key(first).encode() < name_sort_key(second).encode()


def test_sort_key_separator_sorts_below_letters() -> None:
    # What makes the syllable-by-syllable order work; see name_sort_key's docstring.
    assert " " < "a"
    assert "liming" > "liang"  # run together, the order would be wrong
    assert name_sort_key("李明") < name_sort_key("梁")


@pytest.mark.parametrize("name", ["张三", "曾小明", "尉迟恭", "阿依古丽·买买提", "Tom Lee"])
def test_keys_agree(name: str) -> None:
    syllables = name_sort_key(name).split(" ")
    assert name_pinyin(name) == "".join(syllables)
    assert name_initials(name) == "".join(s[0] for s in syllables)
    assert name_sort_key(name).isascii()


@pytest.mark.parametrize(
    "given",
    ["长生", "重阳", "乐乐", "晓明", "子涵", "行健", "朝阳", "银行", "一诺", "思远", "音乐", "长"],
)
def test_given_names_read_as_pypinyin_reads_them(given: str) -> None:
    expected = "".join(lazy_pinyin(given, style=Style.NORMAL, v_to_u=False))
    assert name_pinyin("王" + given) == "wang" + expected


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("zs", True),
        ("zhangsan", True),
        ("Zhang San", True),
        (" ZS ", True),
        ("lv", True),
        ("张三", False),
        ("zhang3", False),
        ("zhāng", False),
        ("zhang-san", False),
        ("ｚｓ", False),  # full-width: callers pass clean_text(q)
        ("", False),
        ("   ", False),
        (None, False),
    ],
)
def test_is_pinyin_query(q: str | None, expected: bool) -> None:
    assert is_pinyin_query(q) is expected


def test_given_names_agree_with_pypinyin_in_bulk() -> None:
    # Mono- and polyphonic characters mixed, so both the per-character shortcut and
    # pypinyin's word segmentation are exercised against pypinyin itself.
    chars = "明华长重乐行朝银音一子涵思远晓婷的了和为解单曾藏朴会都率数"
    for a in chars:
        for b in chars:
            expected = "".join(lazy_pinyin(a + b, style=Style.NORMAL, v_to_u=False))
            assert name_pinyin("王" + a + b) == "wang" + expected, a + b


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("长沙村", "chang sha cun"),  # 长 is not read as the surname here
        ("乐平村", "le ping cun"),
        ("岳麓 街道", "yue lu jie dao"),
        ("", ""),
        (None, ""),
    ],
)
def test_text_sort_key(text: str | None, expected: str) -> None:
    assert text_sort_key(text) == expected


def test_text_sort_key_orders_places() -> None:
    places = ["张家村", "长沙村", "安乐村", "李家村", "梁家村"]
    assert sorted(places, key=text_sort_key) == ["安乐村", "长沙村", "李家村", "梁家村", "张家村"]
