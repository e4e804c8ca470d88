import datetime as dt

import pytest

from contacts import personal_id as pid

TODAY = dt.date(2026, 11, 22)


@pytest.mark.parametrize(
    ("value", "canonical", "birth", "sex"),
    [
        ("19121212-1212", "19121212-1212", dt.date(1912, 12, 12), "M"),
        ("191212121212", "19121212-1212", dt.date(1912, 12, 12), "M"),
        ("121212-1212", "20121212-1212", dt.date(2012, 12, 12), "M"),
        ("121212+1212", "19121212-1212", dt.date(1912, 12, 12), "M"),
        ("1212121212", "20121212-1212", dt.date(2012, 12, 12), "M"),
        # Samordningsnummer: day + 60.
        ("19701063-2391", "19701063-2391", dt.date(1970, 10, 3), "M"),
        # Reservnummer: no check digit, sex unknown.
        ("19671030-TF10", "19671030-TF10", dt.date(1967, 10, 30), ""),
        ("19671030TF10", "19671030-TF10", dt.date(1967, 10, 30), ""),
        ("19390121-T021", "19390121-T021", dt.date(1939, 1, 21), ""),
        ("410101-TF02", "19410101-TF02", dt.date(1941, 1, 1), ""),
        (" 19400305-9864 ", "19400305-9864", dt.date(1940, 3, 5), "F"),
    ],
)
def test_it_accepts_and_normalises_valid_ids(value, canonical, birth, sex):
    parsed = pid.parse(value, today=TODAY)
    assert parsed.canonical == canonical
    assert parsed.birth_date == birth
    assert parsed.sex == sex


def test_it_tells_the_kind_of_id():
    assert pid.parse("19121212-1212").kind == pid.Kind.PERSONNUMMER
    assert pid.parse("19701063-2391").kind == pid.Kind.SAMORDNINGSNUMMER
    assert pid.parse("19671030-TF10").kind == pid.Kind.RESERVNUMMER


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("19121212-1213", "kontrollsiffra"),  # bad Luhn
        ("19701063-2392", "kontrollsiffra"),  # samordningsnummer with a bad Luhn
        ("19121312-1212", "födelsedatum"),  # month 13
        ("19700231-1234", "födelsedatum"),  # 31 February
        ("19701093-2391", "födelsedatum"),  # samordningsnummer day 93 - 60 = 33
        ("20991212-1212", "framtiden"),
        ("1912121-1212", "giltigt"),
        ("abc", "giltigt"),
        ("19671030-XF10", "giltigt"),
        ("", "saknas"),
    ],
)
def test_it_rejects_invalid_ids_with_a_swedish_message(value, message):
    with pytest.raises(pid.PersonalIdError, match=message):
        pid.parse(value, today=TODAY)


def test_generated_test_personnummer_are_valid_and_carry_the_sex():
    for serial in range(30):
        woman = pid.parse(pid.make_test_personnummer(dt.date(1944, 2, 29), serial, female=True))
        man = pid.parse(pid.make_test_personnummer(dt.date(1961, 7, 1), serial, female=False))
        assert (woman.sex, man.sex) == ("F", "M")
        assert woman.birth_date == dt.date(1944, 2, 29)


@pytest.mark.parametrize(
    ("birth", "on", "age"),
    [
        (dt.date(1960, 11, 22), dt.date(2025, 11, 22), 65),
        (dt.date(1960, 11, 23), dt.date(2025, 11, 22), 64),
        (dt.date(1944, 2, 29), dt.date(2025, 2, 28), 80),
        (dt.date(1944, 2, 29), dt.date(2025, 3, 1), 81),
    ],
)
def test_age_counts_completed_years(birth, on, age):
    assert pid.age_on(birth, on) == age
