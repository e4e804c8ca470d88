"""The report's rounding and median in integers, against the exact
definitions they replaced (a Decimal quantized half up, the median of
Fractions): the same value for any counts, ties and negatives included."""

import statistics
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from reports.continuity import median_value, round_half_up, share


def decimal_half_up(numerator: int, denominator: int, places: int = 4) -> float:
    exact = Decimal(numerator) / Decimal(denominator)
    return float(exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def test_ties_round_up_and_undefined_shares_are_none():
    assert share(1, 8) == 0.125  # exact, no rounding
    assert share(1, 3) == 0.3333
    assert share(2, 3) == 0.6667
    assert share(12345, 100000) == 0.1235  # a tie: half up, not to even
    assert share(12335, 100000) == 0.1234  # 0.12335: the tie goes up, to 0.1234
    assert share(0, 5) == 0.0 and share(5, 5) == 1.0
    assert share(3, 0) is None
    assert round_half_up(Fraction(-12345, 100000)) == -0.1235  # away from zero
    assert round_half_up(Fraction(7, 4), 1) == 1.8


@given(st.integers(-(10**9), 10**9), st.integers(1, 10**9), st.integers(0, 6))
def test_integer_rounding_equals_the_decimal_definition(numerator, denominator, places):
    assert round_half_up(Fraction(numerator, denominator), places) == decimal_half_up(
        numerator, denominator, places
    )


@given(st.integers(0, 10**7), st.integers(1, 10**7))
def test_a_share_equals_the_decimal_definition(numerator, denominator):
    assert share(numerator, denominator) == decimal_half_up(numerator, denominator)


@given(st.lists(st.integers(0, 500), max_size=60))
def test_the_median_equals_that_of_exact_fractions(values):
    expected = None
    if values:
        exact = Fraction(statistics.median(Fraction(v) for v in values))
        expected = int(exact) if exact.denominator == 1 else float(exact)
    result = median_value(values)
    assert result == expected and type(result) is type(expected)


def test_medians_by_hand():
    assert median_value([]) is None
    assert median_value([7, 1, 4]) == 4
    assert median_value([1, 2, 3, 4]) == 2.5  # (2 + 3) / 2
    assert median_value([2, 2, 4, 4]) == 3 and isinstance(median_value([2, 2, 4, 4]), int)
