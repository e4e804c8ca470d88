"""The column conventions every CSV download shares, in Swedish (what the
people who open the files in Excel read):

* the unit first, as two columns "Enhetskod" and "Enhet" (the name), always
  filled in: for a report over all units, each row's own unit(s), or
  "Alla enheter" when the row is not of one unit;
* the client as "Kundnummer" and "Brukare" (then "Personnummer" where given);
* dates as ÅÅÅÅ-MM-DD, times as ÅÅÅÅ-MM-DD TT:MM;
* yes/no as "ja"/"nej", statuses and kinds as their Swedish labels, never codes.

The CSV text itself (semicolons, formula neutralising) is omsorg.output.csv."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _


def unit_columns() -> list[str]:
    return [_("Enhetskod"), _("Enhet")]


def client_columns() -> list[str]:
    return [_("Kundnummer"), _("Brukare")]


def unit_cells(unit: Any) -> list[str]:
    """The two unit cells of a row: the unit, or "Alla enheter" for None."""
    if unit is None:
        return ["", _("Alla enheter")]
    return [unit.code, unit.name]


def yes_no(value: Any) -> str:
    return _("ja") if value else _("nej")


def contact_role_label(role: str) -> str:
    """ "ordinary"/"deputy" (who of the care contacts) in Swedish; "" for none."""
    return {"ordinary": _("ordinarie"), "deputy": _("vice")}.get(role, role)
