"""Swedish alphabetical order, for every list and report sorted in Python.

In Swedish, å, ä and ö are letters of their own after z (in that order);
letters with accents sort as their base letter (é as e), and ü sorts as y, as
in Swedish dictionaries (Svenska Akademiens ordlista). Æ and ø, common in
Danish and Norwegian names, sort as ä and ö. Case is ignored; ties are broken
by the caller (a customer number, a signature), so the order is total.

The three letters become the characters after "z" in code point order ("{",
"|", "}"), not "z" plus a suffix, which would put "Åke" between "Z" and
"Zoran"."""

from __future__ import annotations

_SWEDISH = str.maketrans(
    {
        "å": "{",
        "ä": "|",
        "æ": "|",
        "ö": "}",
        "ø": "}",
        "é": "e",
        "è": "e",
        "ê": "e",
        "ë": "e",
        "á": "a",
        "à": "a",
        "â": "a",
        "ü": "y",
        "í": "i",
        "ó": "o",
        "ç": "c",
        "ñ": "n",
    }
)


def swedish_key(text: str) -> str:
    """A sort key giving Swedish alphabetical order."""
    return text.casefold().translate(_SWEDISH)


def name_key(name: str, tie_breaker: str = "") -> tuple[str, str]:
    """Sort key for people: the name in Swedish order, then ``tie_breaker``
    (customer number or signature) so names equal but for case keep a fixed order."""
    return (swedish_key(name), tie_breaker)


class PersonKeys:
    """``name_key(f"{first} {last}", tie_breaker)`` as one string, for sorting
    thousands of people (a report of a whole organisation): the key works
    letter by letter, so the key of "first last" is the two names' keys
    joined by a space, and each first and last name's key is computed once.
    Strings sort as the pairs do: a character below every character of a
    key separates the name's key from the tie breaker."""

    BELOW_KEYS = "\x00"  # a name has no control characters

    def __init__(self) -> None:
        self._parts: dict[str, str] = {}

    def __call__(self, first: str, last: str, tie_breaker: str) -> str:
        parts = self._parts
        first_key = parts.get(first)
        if first_key is None:
            first_key = parts[first] = swedish_key(first)
        last_key = parts.get(last)
        if last_key is None:
            last_key = parts[last] = swedish_key(last)
        return f"{first_key} {last_key}{self.BELOW_KEYS}{tie_breaker}"
