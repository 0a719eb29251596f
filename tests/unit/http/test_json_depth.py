"""``json_depth`` agrees with the nesting of any JSON value, strings included."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from gatehouse.http.json_limits import json_depth

values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=30,
)


def depth(value: Any) -> int:
    if isinstance(value, list):
        return 1 + max((depth(item) for item in value), default=0)
    if isinstance(value, dict):
        return 1 + max((depth(item) for item in value.values()), default=0)
    return 0


@given(values, st.booleans())
def test_depth_of_any_json(value: Any, ascii_only: bool) -> None:
    assert json_depth(json.dumps(value, ensure_ascii=ascii_only).encode()) == depth(value)


def test_brackets_in_strings_and_escapes() -> None:
    assert json_depth(b'["[[[\\"{{{", {"a": "]]]"}]') == 2
    assert json_depth(b"[" * 100_000) == 100_000
    assert json_depth(b"") == 0
