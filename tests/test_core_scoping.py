"""Names in messages: a reader is told the names of the people it may see, and only how many
others there are."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from app.core.scoping import visible_names

OWN, OTHER = 1, 2


def person(name: str, township_id: int) -> SimpleNamespace:
    return SimpleNamespace(name=name, township_id=township_id, status_label="已退出")


@pytest.mark.parametrize(
    ("people", "reader_township", "expected"),
    [
        ([person("赵一", OWN), person("钱二", OWN)], OWN, "赵一、钱二"),
        ([person("赵一", OWN), person("钱二", OTHER)], OWN, "赵一及其他乡镇 1 人"),
        ([person("赵一", OTHER), person("钱二", OTHER)], OWN, "其他乡镇 2 人"),
        ([person("赵一", OWN), person("钱二", OTHER)], None, "赵一、钱二"),  # county level
        ([], OWN, ""),
    ],
)
def test_names_the_reader_may_see_and_counts_the_rest(people, reader_township, expected):
    reader = SimpleNamespace(township_id=reader_township)
    assert visible_names(people, reader) == expected


def test_a_label_writes_each_shown_person():
    reader = SimpleNamespace(township_id=OWN)
    people = [person("赵一", OWN), person("钱二", OTHER)]
    shown = visible_names(people, reader, label=lambda p: f"{p.name}（{p.status_label}）")
    assert shown == "赵一（已退出）及其他乡镇 1 人"
