"""The list query parser (``gatehouse.domain.listing``): OrderCloud list conventions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from gatehouse.domain.errors import ListQueryError
from gatehouse.domain.listing import (
    DEFAULT_PAGE_SIZE,
    MAX_FILTERS,
    MAX_ITEMS,
    MAX_PAGE,
    MAX_PAGE_SIZE,
    MAX_VALUE_LENGTH,
    Condition,
    FieldType,
    Filter,
    ListField,
    ListQuery,
    ListSpec,
    Op,
    SortKey,
    XpPath,
    page_meta,
    parse_list_query,
)

ID = ListField("ID", searchable=True, sortable=True)
APP_NAME = ListField("AppName", searchable=True, sortable=True)
USER = ListField("DefaultContextUserName", searchable=True)
ACTIVE = ListField("Active", FieldType.BOOLEAN)
DURATION = ListField("AccessTokenDuration", FieldType.INTEGER, sortable=True)
CREATED = ListField("DateCreated", FieldType.DATETIME, sortable=True)
SECRET = ListField("ClientSecret", filterable=False)
SPEC = ListSpec("ApiClient", (ID, APP_NAME, USER, ACTIVE, DURATION, CREATED, SECRET), xp=True)
NO_XP = ListSpec("Plain", (ID, APP_NAME))
SORTABLE = (ID, APP_NAME, DURATION, CREATED)


def parse(*params: tuple[str, str], spec: ListSpec = SPEC, **kw: Any) -> ListQuery:
    return parse_list_query(params, spec, **kw)


def error(*params: tuple[str, str], spec: ListSpec = SPEC) -> ListQueryError:
    with pytest.raises(ListQueryError) as info:
        parse_list_query(params, spec)
    return info.value


def only_filter(*params: tuple[str, str], spec: ListSpec = SPEC) -> Filter:
    (flt,) = parse(*params, spec=spec).filters
    return flt


def conditions(key: str, value: str) -> tuple[Condition, ...]:
    return only_filter((key, value)).alternatives


# --- ListSpec ------------------------------------------------------------------------------


def test_field_lookup_is_case_insensitive() -> None:
    assert SPEC.field("appname") is APP_NAME
    assert SPEC.field("APPNAME") is APP_NAME
    assert SPEC.field("nope") is None


def test_spec_rejects_duplicate_field_names() -> None:
    with pytest.raises(ValueError, match="duplicate"):
        ListSpec("X", (ID, ListField("id")))


@pytest.mark.parametrize("default_sort", [("Nope",), ("xp.a",)])
def test_spec_rejects_unknown_default_sort(default_sort: tuple[str, ...]) -> None:
    with pytest.raises(ValueError, match="default sort"):
        ListSpec("X", (ID,), default_sort=default_sort)


def test_spec_default_sort_may_be_descending_and_unsortable() -> None:
    spec = ListSpec("X", (ID, ACTIVE), default_sort=("!Active", "ID"))
    assert parse(spec=spec).sort == (SortKey(ACTIVE, True), SortKey(ID, False))


def test_spec_without_id_needs_an_explicit_default_sort() -> None:
    with pytest.raises(ValueError, match="default sort"):
        ListSpec("X", (APP_NAME,))
    assert ListSpec("X", (APP_NAME,), default_sort=()).default_sort == ()


# --- defaults and reserved parameters -----------------------------------------------------


def test_defaults() -> None:
    assert parse() == ListQuery(
        page=1,
        page_size=DEFAULT_PAGE_SIZE,
        search=None,
        search_on=(ID, APP_NAME, USER),
        sort=(SortKey(ID, False),),
        filters=(),
    )


@pytest.mark.parametrize("name", ["page", "PAGE", "Page"])
def test_reserved_names_are_case_insensitive(name: str) -> None:
    assert parse((name, "3")).page == 3
    assert parse(("PAGESIZE", "7")).page_size == 7
    assert parse(("SORTBY", "!ID")).sort == (SortKey(ID, True),)
    assert parse(("Search", "x"), ("SEARCHON", "appname")).search_on == (APP_NAME,)


@pytest.mark.parametrize("name", ["page", "pageSize", "search", "searchOn", "sortBy"])
def test_empty_reserved_value_is_omitted(name: str) -> None:
    assert parse((name, "")) == parse()


def test_search_type_is_accepted_and_ignored() -> None:
    assert parse(("searchType", "AnyTerm"), ("SEARCHTYPE", "x")) == parse()


def test_ignored_names_are_not_filters() -> None:
    assert parse(("Depth", "all"), ("userID", "u"), ignore=("depth", "UserID")) == parse()
    assert parse(("search", "x"), ignore=("SEARCH",)).search is None


def test_last_non_empty_reserved_value_wins() -> None:
    assert parse(("page", "2"), ("page", "5")).page == 5
    assert parse(("page", "2"), ("page", "")).page == 2


# --- page and pageSize --------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw", ["0", "-1", "abc", "1.5", " 1", "1 ", "+1", "1_0", "\uff11", "1e3", "00000000000"]
)
def test_invalid_page(raw: str) -> None:
    err = error(("page", raw))
    assert (err.code, err.message) == (
        "List.InvalidPage",
        "page must be an integer greater than or equal to 1.",
    )


@pytest.mark.parametrize("raw", [str(MAX_PAGE + 1), "9999999999", "9" * 5000])
def test_page_beyond_the_maximum(raw: str) -> None:
    assert error(("page", raw)).code == "List.InvalidPage"


@pytest.mark.parametrize(("raw", "page"), [("1", 1), ("01", 1), (str(MAX_PAGE), MAX_PAGE)])
def test_valid_page(raw: str, page: int) -> None:
    assert parse(("page", raw)).page == page


@pytest.mark.parametrize("raw", ["0", "101", "-5", "abc", "20.0", " 20", "1000000000000"])
def test_invalid_page_size(raw: str) -> None:
    err = error(("pageSize", raw))
    assert (err.code, err.message) == (
        "List.InvalidPageSize",
        "pageSize must be an integer between 1 and 100.",
    )


@given(st.integers())
def test_page_accepts_exactly_the_positive_integers(page: int) -> None:
    if 1 <= page <= MAX_PAGE:
        assert parse(("page", str(page))).page == page
    else:
        assert error(("page", str(page))).code == "List.InvalidPage"


@given(st.integers(min_value=-1000, max_value=1000))
def test_page_size_accepts_exactly_1_to_100(size: int) -> None:
    if 1 <= size <= MAX_PAGE_SIZE:
        assert parse(("pageSize", str(size))).page_size == size
    else:
        assert error(("pageSize", str(size))).code == "List.InvalidPageSize"


# --- sortBy -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("AppName", (SortKey(APP_NAME, False),)),
        ("!AppName", (SortKey(APP_NAME, True),)),
        ("!!!!AppName", (SortKey(APP_NAME, True),)),
        ("appname,!id", (SortKey(APP_NAME, False), SortKey(ID, True))),
        (",AppName,, ID ,", (SortKey(APP_NAME, False), SortKey(ID, False))),
        ("AppName,!appname,ID", (SortKey(APP_NAME, False), SortKey(ID, False))),
        ("xp.a.b", (SortKey(XpPath(("a", "b")), False),)),
        ("!XP.Size", (SortKey(XpPath(("Size",)), True),)),
        ("DateCreated,AccessTokenDuration", (SortKey(CREATED, False), SortKey(DURATION, False))),
    ],
)
def test_sort_by(raw: str, expected: tuple[SortKey, ...]) -> None:
    assert parse(("sortBy", raw)).sort == expected


def test_sort_by_of_only_commas_uses_the_default() -> None:
    assert parse(("sortBy", ",, ,")).sort == (SortKey(ID, False),)


@pytest.mark.parametrize(
    ("raw", "prop"),
    [
        ("Nope", "Nope"),
        ("!Nope", "Nope"),
        ("Active", "Active"),
        ("DefaultContextUserName", "DefaultContextUserName"),
        ("AppName,Bogus", "Bogus"),
        ("!", ""),
        ("xp", "xp"),
        ("xp.", "xp."),
        ("xp.a..b", "xp.a..b"),
    ],
)
def test_invalid_sort_property(raw: str, prop: str) -> None:
    err = error(("sortBy", raw))
    assert (err.code, err.data) == ("List.InvalidSortProperty", {"Property": prop})


def test_xp_sort_needs_an_xp_spec() -> None:
    err = error(("sortBy", "xp.a"), spec=NO_XP)
    assert (err.code, err.data) == ("List.InvalidSortProperty", {"Property": "xp.a"})


@given(
    st.lists(
        st.tuples(st.sampled_from(SORTABLE), st.integers(0, 3), st.booleans()),
        min_size=1,
        max_size=MAX_ITEMS,
    )
)
def test_sort_by_round_trips(items: list[tuple[ListField, int, bool]]) -> None:
    """Any sortBy built from sortable names (any case, any number of !) parses back."""
    raw = ",".join(
        "!" * bangs + (f.name.upper() if upper else f.name.lower()) for f, bangs, upper in items
    )
    expected: dict[ListField, SortKey] = {}
    for f, bangs, _ in items:
        expected.setdefault(f, SortKey(f, bangs > 0))
    assert parse(("sortBy", raw)).sort == tuple(expected.values())


# --- search and searchOn ------------------------------------------------------------------


def test_search_keeps_the_raw_text() -> None:
    query = parse(("search", " my  app "))
    assert (query.search, query.search_on) == (" my  app ", (ID, APP_NAME, USER))


@pytest.mark.parametrize("raw", [" ", "\t\n "])
def test_whitespace_search_is_omitted(raw: str) -> None:
    assert parse(("search", raw)).search is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("AppName", (APP_NAME,)),
        ("appname, id", (APP_NAME, ID)),
        ("ID,id,Id", (ID,)),
        ("xp.Color,AppName", (XpPath(("Color",)), APP_NAME)),
        (",,", (ID, APP_NAME, USER)),
    ],
)
def test_search_on(raw: str, expected: tuple[ListField | XpPath, ...]) -> None:
    assert parse(("search", "x"), ("searchOn", raw)).search_on == expected


@pytest.mark.parametrize(
    ("raw", "prop", "spec"),
    [
        ("Nope", "Nope", SPEC),
        ("Active", "Active", SPEC),
        ("ID,AccessTokenDuration", "AccessTokenDuration", SPEC),
        ("xp.a", "xp.a", NO_XP),
        ("xp..a", "xp..a", SPEC),
    ],
)
def test_invalid_search_property(raw: str, prop: str, spec: ListSpec) -> None:
    err = error(("searchOn", raw), spec=spec)
    assert (err.code, err.data) == ("List.InvalidSearchProperty", {"Property": prop})


def test_search_bounds() -> None:
    assert parse(("search", "x" * MAX_VALUE_LENGTH)).search == "x" * MAX_VALUE_LENGTH
    assert error(("search", "x" * (MAX_VALUE_LENGTH + 1))).code == "ValidationFailure"
    assert parse(("search", " ".join(["t"] * MAX_ITEMS))).search is not None
    assert error(("search", " ".join(["t"] * (MAX_ITEMS + 1)))).code == "ValidationFailure"


def test_sort_and_search_on_bounds() -> None:
    assert error(("sortBy", ",".join(["ID"] * (MAX_ITEMS + 1)))).code == "ValidationFailure"
    assert error(("searchOn", "ID," * 400)).code == "ValidationFailure"
    assert error(("sortBy", "A" * (MAX_VALUE_LENGTH + 1))).code == "ValidationFailure"


# --- filters: names -----------------------------------------------------------------------


def test_filter_names_are_case_insensitive() -> None:
    assert only_filter(("appname", "x")).target is APP_NAME


def test_repeated_filter_parameters_stay_separate() -> None:
    query = parse(("ID", ">a"), ("id", "<c"))
    assert [f.target for f in query.filters] == [ID, ID]
    assert [f.alternatives[0].op for f in query.filters] == [Op.GT, Op.LT]


@pytest.mark.parametrize(
    ("key", "spec"),
    [
        ("Nope", SPEC),
        ("ClientSecret", SPEC),
        ("xp", SPEC),
        ("xp.", SPEC),
        ("xp.a..b", SPEC),
        ("xp.a.", SPEC),
        ("xp." + "a" * 101, SPEC),
        ("xp." + ".".join("a" * 9), SPEC),
        ("xp.a", NO_XP),
        ("Pagesize2", SPEC),
    ],
)
def test_invalid_filter_property(key: str, spec: ListSpec) -> None:
    err = error((key, "x"), spec=spec)
    assert (err.code, err.data) == ("List.InvalidProperty", {"Property": key})


@pytest.mark.parametrize(
    ("key", "path"),
    [
        ("xp.a", ("a",)),
        ("XP.Some.Deep.Key", ("Some", "Deep", "Key")),
        ("xp." + "a" * 100, ("a" * 100,)),
        ("xp." + ".".join("abcdefgh"), tuple("abcdefgh")),
        ("xp.sp ace.é", ("sp ace", "é")),
        ('xp.a"b\\c', ('a"b\\c',)),
    ],
)
def test_xp_filter_paths(key: str, path: tuple[str, ...]) -> None:
    assert only_filter((key, "x")).target == XpPath(path)


def test_empty_filter_value_is_omitted_but_its_name_is_checked() -> None:
    assert parse(("AppName", "")).filters == ()
    assert error(("Bogus", "")).code == "List.InvalidProperty"


# --- filters: value grammar ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("abc", Condition(Op.EQ, "abc", False)),
        ("!abc", Condition(Op.EQ, "abc", True)),
        ("*", Condition(Op.ANY, None, False)),
        ("!*", Condition(Op.ANY, None, True)),
        ("*Smith", Condition(Op.LIKE, "*Smith", False)),
        ("Jo*n", Condition(Op.LIKE, "Jo*n", False)),
        ("Jo*", Condition(Op.LIKE, "Jo*", False)),
        ("**", Condition(Op.LIKE, "**", False)),
        ("!*x*", Condition(Op.LIKE, "*x*", True)),
        (">abc", Condition(Op.GT, "abc", False)),
        ("<abc", Condition(Op.LT, "abc", False)),
        (">=abc", Condition(Op.GE, "abc", False)),
        ("<=abc", Condition(Op.LE, "abc", False)),
        ("!>abc", Condition(Op.GT, "abc", True)),
        ("!<=abc", Condition(Op.LE, "abc", True)),
        (">*", Condition(Op.GT, "*", False)),
        (">a*b", Condition(Op.GT, "a*b", False)),
        ("=x", Condition(Op.EQ, "=x", False)),
        ("!!x", Condition(Op.EQ, "!x", True)),
        (">", Condition(Op.GT, "", False)),
        ("!", Condition(Op.EQ, "", True)),
        ("a!b", Condition(Op.EQ, "a!b", False)),
    ],
)
def test_string_condition(raw: str, expected: Condition) -> None:
    assert conditions("AppName", raw) == (expected,)


def test_alternatives_are_split_on_pipes() -> None:
    assert conditions("AppName", "a|!b*|*|") == (
        Condition(Op.EQ, "a", False),
        Condition(Op.LIKE, "b*", True),
        Condition(Op.ANY, None, False),
        Condition(Op.EQ, "", False),
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("5", Condition(Op.EQ, 5, False)),
        ("-5", Condition(Op.EQ, -5, False)),
        ("+5", Condition(Op.EQ, 5, False)),
        (">=10", Condition(Op.GE, 10, False)),
        ("!<3", Condition(Op.LT, 3, True)),
        ("*", Condition(Op.ANY, None, False)),
        ("!*", Condition(Op.ANY, None, True)),
        (str(2**31 - 1), Condition(Op.EQ, 2**31 - 1, False)),
        (str(-(2**31)), Condition(Op.EQ, -(2**31), False)),
    ],
)
def test_integer_condition(raw: str, expected: Condition) -> None:
    assert conditions("AccessTokenDuration", raw) == (expected,)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("true", Condition(Op.EQ, True, False)),
        ("TRUE", Condition(Op.EQ, True, False)),
        ("False", Condition(Op.EQ, False, False)),
        ("!true", Condition(Op.EQ, True, True)),
        ("!*", Condition(Op.ANY, None, True)),
    ],
)
def test_boolean_condition(raw: str, expected: Condition) -> None:
    assert conditions("Active", raw) == (expected,)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-01-02", datetime(2024, 1, 2, tzinfo=UTC)),
        ("2024-01-02T03:04:05Z", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("2024-01-02T03:04:05", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("2024-01-02T03:04:05.123456+00:00", datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=UTC)),
        ("2024-01-02T03:04:05+02:00", datetime(2024, 1, 2, 1, 4, 5, tzinfo=UTC)),
        ("2024-01-01T23:00:00-05:00", datetime(2024, 1, 2, 4, tzinfo=UTC)),
    ],
)
def test_datetime_condition_is_utc(raw: str, expected: datetime) -> None:
    (cond,) = conditions("DateCreated", ">" + raw)
    assert cond == Condition(Op.GT, expected, False)
    assert isinstance(cond.value, datetime)
    assert cond.value.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    ("key", "raw"),
    [
        ("AccessTokenDuration", "abc"),
        ("AccessTokenDuration", "1.5"),
        ("AccessTokenDuration", "1e3"),
        ("AccessTokenDuration", ""),
        ("AccessTokenDuration", str(2**31)),
        ("AccessTokenDuration", "99999999999999999999"),
        ("AccessTokenDuration", "5*"),
        ("AccessTokenDuration", ">*"),
        ("AccessTokenDuration", "1|x"),
        ("Active", "yes"),
        ("Active", "1"),
        ("Active", "tru*"),
        ("DateCreated", "yesterday"),
        ("DateCreated", "2024-13-01"),
        ("DateCreated", "2024-*"),
        ("DateCreated", "0001-01-01T00:00:00+01:00"),
        ("DateCreated", "9999-12-31T23:00:00-05:00"),
    ],
)
def test_invalid_type(key: str, raw: str) -> None:
    value = raw if raw else "5|"  # an empty alternative
    err = error((key, value))
    assert (err.code, err.data) == ("List.InvalidType", {"Property": key, "Value": value})


def test_invalid_type_reports_the_declared_name() -> None:
    err = error(("accesstokenduration", "x"))
    assert err.data == {"Property": "AccessTokenDuration", "Value": "x"}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("5", Condition(Op.EQ, "5", False)),
        (">5", Condition(Op.GT, "5", False)),
        ("true", Condition(Op.EQ, "true", False)),
        ("*bl*", Condition(Op.LIKE, "*bl*", False)),
        ("!*", Condition(Op.ANY, None, True)),
    ],
)
def test_xp_literals_stay_text(raw: str, expected: Condition) -> None:
    assert conditions("xp.size", raw) == (expected,)


# --- filters: bounds ----------------------------------------------------------------------


def test_filter_value_length_bound() -> None:
    assert conditions("AppName", "x" * MAX_VALUE_LENGTH)[0].value == "x" * MAX_VALUE_LENGTH
    assert error(("AppName", "x" * (MAX_VALUE_LENGTH + 1))).code == "ValidationFailure"


def test_alternatives_bound() -> None:
    assert len(conditions("AppName", "|".join(["a"] * MAX_ITEMS))) == MAX_ITEMS
    assert error(("AppName", "|".join(["a"] * (MAX_ITEMS + 1)))).code == "ValidationFailure"


def test_filter_count_bound() -> None:
    assert len(parse(*[("ID", "a")] * MAX_FILTERS).filters) == MAX_FILTERS
    assert error(*[("ID", "a")] * (MAX_FILTERS + 1)).code == "ValidationFailure"


@pytest.mark.parametrize(
    "param",
    [("AppName", "a\x00b"), ("xp.a", "\x00"), ("search", "x\x00"), ("sortBy", "ID,\x00")],
)
def test_nul_characters_are_refused(param: tuple[str, str]) -> None:
    """PostgreSQL text cannot hold NUL; letting one through would fail the query (a 500)."""
    assert error(param).code == "ValidationFailure"


def test_nul_in_an_xp_key_is_an_invalid_property() -> None:
    assert error(("xp.a\x00b", "x")).code == "List.InvalidProperty"


# --- properties ---------------------------------------------------------------------------


@given(st.lists(st.integers(-(2**31), 2**31 - 1), min_size=1, max_size=MAX_ITEMS))
def test_integer_alternatives_round_trip(values: list[int]) -> None:
    raw = "|".join(str(v) for v in values)
    assert conditions("AccessTokenDuration", raw) == tuple(
        Condition(Op.EQ, v, False) for v in values
    )


@given(st.text(min_size=1, max_size=200).filter(lambda s: "|" not in s and "\x00" not in s))
def test_string_literal_round_trips(literal: str) -> None:
    """A literal that starts with no operator or ``!`` comes back unchanged."""
    (cond,) = conditions("AppName", "=" + literal)
    assert cond == Condition(Op.EQ if "*" not in literal else Op.LIKE, "=" + literal, False)


@given(
    st.datetimes(
        min_value=datetime(2, 1, 1),
        max_value=datetime(9998, 12, 31),
        timezones=st.just(timezone(timedelta(hours=-3))),
    )
)
def test_datetimes_round_trip_to_the_same_instant(moment: datetime) -> None:
    (cond,) = conditions("DateCreated", moment.isoformat())
    assert cond.value == moment
    assert isinstance(cond.value, datetime)
    assert cond.value.tzinfo is UTC


_PARAM_TEXT = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        [
            "page",
            "pageSize",
            "sortBy",
            "searchOn",
            "search",
            "ID",
            "AppName",
            "Active",
            "AccessTokenDuration",
            "DateCreated",
            "xp.a",
            "xp.",
            "!",
            "*",
            "|",
            ">=",
            "!xp.a",
        ]
    ),
)


@given(st.lists(st.tuples(_PARAM_TEXT, _PARAM_TEXT), max_size=8))
@example([("page", "\u0661")])  # an Arabic-Indic digit: int() accepts it, OrderCloud must not
@example([("DateCreated", "2024-01-01T00:00:00+24:00")])
def test_arbitrary_input_only_ever_raises_list_query_error(params: list[tuple[str, str]]) -> None:
    outcome = _parse_or_error(params)
    if isinstance(outcome, ListQueryError):
        assert outcome.code.startswith("List.") or outcome.code == "ValidationFailure"
    else:
        assert outcome.page >= 1
        assert 1 <= outcome.page_size <= MAX_PAGE_SIZE


def _parse_or_error(params: list[tuple[str, str]]) -> ListQuery | ListQueryError:
    """Any other exception propagates and fails the test."""
    try:
        return parse_list_query(params, SPEC)
    except ListQueryError as exc:
        return exc


# --- page_meta ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "size", "total", "pages", "item_range"),
    [
        (1, 20, 25, 2, [1, 20]),
        (2, 20, 25, 2, [21, 25]),
        (2, 20, 40, 2, [21, 40]),
        (3, 20, 40, 2, [0, 0]),
        (1, 20, 0, 0, [0, 0]),
        (1, 1, 1, 1, [1, 1]),
        (5, 100, 1000, 10, [401, 500]),
    ],
)
def test_page_meta(page: int, size: int, total: int, pages: int, item_range: list[int]) -> None:
    assert page_meta(page, size, total) == {
        "Page": page,
        "PageSize": size,
        "TotalCount": total,
        "TotalPages": pages,
        "ItemRange": item_range,
        "NextPageKey": None,
    }


@given(st.integers(1, 10_000), st.integers(1, MAX_PAGE_SIZE), st.integers(0, 1_000_000))
def test_page_meta_is_consistent(page: int, size: int, total: int) -> None:
    meta = page_meta(page, size, total)
    first, last = meta["ItemRange"]
    assert (meta["TotalPages"] - 1) * size < total <= meta["TotalPages"] * size or total == 0
    if page <= meta["TotalPages"]:
        assert (first, last) == ((page - 1) * size + 1, min(page * size, total))
        assert 1 <= last - first + 1 <= size
    else:
        assert (first, last) == (0, 0)
