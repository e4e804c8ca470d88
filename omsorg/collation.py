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
