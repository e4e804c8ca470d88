"""The general CSV rules of docs/interchange.md, shown with the units kind."""

import datetime as dt

import pytest

from contacts.models import Provider, Unit
from imports.importers import (
    CellError,
    UnknownKind,
    import_csv,
    parse_bool,
    parse_date,
    parse_datetime,
)

pytestmark = pytest.mark.django_db


def units():
    return sorted(Unit.objects.values_list("code", "name"))


def test_semicolon_and_comma_files_import_the_same():
    semicolon = import_csv("units", "code;name\nU1;Hemtjänst Norr\nU2;Hemtjänst, Söder\n")
    assert semicolon.ok, semicolon.errors
    assert (semicolon.created, semicolon.updated, semicolon.unchanged) == (2, 0, 0)

    # The same data with commas (the comma inside a name quoted, as Excel does).
    comma = import_csv("units", 'code,name\nU1,Hemtjänst Norr\nU2,"Hemtjänst, Söder"\n')
    assert comma.ok, comma.errors
    assert (comma.created, comma.updated, comma.unchanged) == (0, 0, 2)
    assert units() == [("U1", "Hemtjänst Norr"), ("U2", "Hemtjänst, Söder")]


def test_a_bom_is_ignored_in_bytes_and_in_text():
    data = "code;name\r\nU1;Hemtjänst Norr\r\n"
    from_bytes = import_csv("units", b"\xef\xbb\xbf" + data.encode())
    assert from_bytes.ok, from_bytes.errors
    from_text = import_csv("units", "\ufeff" + data)
    assert from_text.ok, from_text.errors
    assert (from_text.created, from_text.unchanged) == (0, 1)
    assert units() == [("U1", "Hemtjänst Norr")]


def test_columns_in_any_order_with_optional_ones_left_out():
    result = import_csv("units", "provider;name;code\nOmsorg AB;Norr;U1\n")
    assert result.ok, result.errors
    unit = Unit.objects.get(code="U1")
    assert (unit.name, unit.provider.name) == ("Norr", "Omsorg AB")

    result = import_csv("units", "name;code\nNorr;U1\n")
    assert (result.created, result.updated, result.unchanged) == (0, 0, 1)
    assert Unit.objects.get(code="U1").provider.name == "Omsorg AB"


def test_the_header_is_case_and_space_insensitive():
    result = import_csv("units", " Code ; NAME \nU1;Norr\n")
    assert result.ok, result.errors
    assert units() == [("U1", "Norr")]


def test_an_unknown_column_is_an_error_and_nothing_is_written():
    result = import_csv("units", "code;name;colour\nU1;Norr;blå\n")
    assert result.errors == [
        "line 1: colour: Okänd kolumn för units; tillåtna kolumner: code, name, provider."
    ]
    assert Unit.objects.count() == 0


def test_a_missing_required_column_is_an_error():
    result = import_csv("units", "code;provider\nU1;Omsorg AB\n")
    assert result.errors == ["line 1: name: Obligatorisk kolumn saknas."]
    assert Unit.objects.count() == 0


def test_an_empty_required_cell_is_reported_with_the_line_of_the_file():
    # Line 2 is blank and skipped, but lines keep counting as in the file.
    result = import_csv("units", "code;name\n\nU1;\n;;\nU2;Söder\n")
    assert result.errors == ["line 3: name: Värde saknas."]
    assert Unit.objects.count() == 0


def test_the_same_key_twice_in_one_file_is_an_error():
    result = import_csv("units", "code;name\nU1;Norr\nU2;Söder\nU1;Norr igen\n")
    assert result.errors == ["line 4: code: Samma code finns redan på rad 2 i filen."]
    assert Unit.objects.count() == 0


def test_an_empty_file_and_a_file_that_is_not_utf8_are_reported():
    assert import_csv("units", b"").errors == ["line 1: header: Filen är tom; en rubrikrad krävs."]
    latin1 = "code;name\nU1;Norr\nU2;Söder\n".encode("latin-1")
    errors = import_csv("units", latin1).errors
    assert len(errors) == 1
    assert errors[0].startswith("line 3: header: Filen är inte kodad som UTF-8.")
    assert Unit.objects.count() == 0


def test_a_value_in_a_column_without_header_is_an_error():
    result = import_csv("units", "code;name\nU1;Norr;extra\n")
    assert result.errors == ["line 2: row: Värdet ”extra” står i en kolumn utan rubrik."]


def test_an_unknown_kind_is_refused():
    with pytest.raises(UnknownKind):
        import_csv("providers", "code;name\n")


def test_a_new_provider_is_created_once_by_name():
    result = import_csv("units", "code;name;provider\nU1;Norr;Omsorg AB\nU2;Söder;Omsorg AB\n")
    assert result.ok, result.errors
    assert list(Provider.objects.values_list("name", flat=True)) == ["Omsorg AB"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ja", True),
        ("JA", True),
        ("Nej", False),
        ("yes", True),
        ("No", False),
        ("TRUE", True),
        ("false", False),
        ("1", True),
        ("0", False),
    ],
)
def test_booleans(text, expected):
    assert parse_bool(text) is expected


@pytest.mark.parametrize("text", ["j", "kanske", "2", "sant"])
def test_bad_booleans(text):
    with pytest.raises(CellError):
        parse_bool(text)


@pytest.mark.parametrize("text", ["2025-02-30", "2025-2-3", "03/02/2025", "20250203"])
def test_bad_dates(text):
    with pytest.raises(CellError):
        parse_date(text)


def test_date_times_are_stockholm_local_time():
    winter = parse_datetime("2025-01-15 08:00")
    summer = parse_datetime("2025-07-01 08:00")
    assert winter.astimezone(dt.UTC) == dt.datetime(2025, 1, 15, 7, 0, tzinfo=dt.UTC)
    assert summer.astimezone(dt.UTC) == dt.datetime(2025, 7, 1, 6, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize("text", ["2025-03-30 02:30", "2025-01-15", "2025-01-15 8:00", "x"])
def test_bad_date_times(text):
    # 02:30 on 30 March 2025 does not exist: the clocks jump from 02:00 to 03:00.
    with pytest.raises(CellError):
        parse_datetime(text)
