"""Handbook 1.12.2 "Översikt besök": a unit's visits in a period with marks for
incomplete receipt, registered afterwards, performed by other staff than
planned, and performed by the care contact in force on the visit date.

Every mark is computed in the database (so "show only marked" filters before
pagination); the contact history is read by a correlated subquery on the
as-of index. Definitions: docs/statistics.md."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.utils.translation import gettext_lazy as _

from contacts import history
from contacts.models import Unit, Visit
from omsorg.output.csv import csv_text
from reports import csv_columns

if TYPE_CHECKING:  # django-stubs is a development dependency only
    from django_stubs_ext import StrOrPromise

TZ = ZoneInfo(settings.TIME_ZONE)


@dataclass(frozen=True)
class Mark:
    key: str  # the option's query parameter and the annotation's suffix
    label: StrOrPromise
    css: str  # colour class of the dot


MARKS = [
    Mark("ofullstandig", _("Ofullständig kvittens"), "mark-incomplete"),
    Mark("efterregistrerat", _("Efterregistrerat"), "mark-afterwards"),
    Mark("annan_personal", _("Utförd av annan personal"), "mark-other"),
    Mark("fok", _("Utförd av fast omsorgskontakt"), "mark-fok"),
]
MARK_KEYS = [mark.key for mark in MARKS]


def _contact_in_force(field: str) -> Subquery:
    """The ordinary (or deputy) in force at the end of the visit's local date."""
    return history.contact_in_force(
        field, client=OuterRef("client"), unit=OuterRef("unit"), on=OuterRef("local_date")
    )


def visits_with_marks(unit: Unit, start: dt.date, end: dt.date) -> QuerySet[Visit]:
    """The unit's visits starting on the dates ``start``..``end`` (inclusive,
    Europe/Stockholm), each annotated with ``mark_<key>`` booleans and the
    contacts in force (``fok_ordinary_id``, ``fok_deputy_id``)."""
    performers = Visit.staff.through.objects.filter(visit=OuterRef("pk"))
    planned = Visit.planned_staff.through.objects.filter(visit=OuterRef("pk"))
    performed = Q(status=Visit.Status.PERFORMED)
    return (
        Visit.objects.filter(unit=unit, local_date__gte=start, local_date__lte=end)
        .annotate(
            fok_ordinary_id=_contact_in_force("ordinary_id"),
            fok_deputy_id=_contact_in_force("deputy_id"),
        )
        .annotate(
            mark_ofullstandig=ExpressionWrapper(
                Q(receipt=Visit.Receipt.INCOMPLETE), output_field=BooleanField()
            ),
            mark_efterregistrerat=ExpressionWrapper(
                Q(registered_afterwards=True), output_field=BooleanField()
            ),
            # Someone who performed the visit was not among those planned
            # (visits without a plan cannot deviate from it).
            mark_annan_personal=ExpressionWrapper(
                performed
                & Exists(planned)
                & Exists(
                    performers.exclude(
                        staff_id__in=Visit.planned_staff.through.objects.filter(
                            visit=OuterRef(OuterRef("pk"))
                        ).values("staff_id")
                    )
                ),
                output_field=BooleanField(),
            ),
            mark_fok=ExpressionWrapper(
                performed
                & Exists(
                    performers.filter(
                        Q(staff_id=OuterRef("fok_ordinary_id"))
                        | Q(staff_id=OuterRef("fok_deputy_id"))
                    )
                ),
                output_field=BooleanField(),
            ),
        )
        .select_related("client")
        .order_by("start", "client__last_name", "client__first_name", "pk")
    )


def visit_overview(
    unit: Unit, start: dt.date, end: dt.date, *, marks: list[str], only_marked: bool = False
) -> QuerySet[Visit]:
    """The overview's rows: with ``only_marked``, the visits with at least one of
    the chosen ``marks``. Staff and planned staff are prefetched (two queries)."""
    visits = visits_with_marks(unit, start, end)
    if only_marked:
        wanted = Q()
        for key in marks:
            wanted |= Q(**{f"mark_{key}": True})
        visits = visits.filter(wanted) if marks else visits.none()
    return visits.prefetch_related("staff", "planned_staff")


@dataclass
class VisitRow:
    """One visit as shown: the chosen marks that apply, and which contact
    performed it."""

    visit: Visit
    marks: list[Mark]
    contact_role: str  # "ordinary", "deputy" or ""


def rows(visits: Iterable[Visit], marks: list[str]) -> list[VisitRow]:
    return [_row(visit, marks) for visit in visits]


def iter_rows(visits: QuerySet[Visit], marks: list[str]) -> Iterator[VisitRow]:
    # chunk_size keeps memory flat for long periods; prefetches run per chunk.
    for visit in visits.iterator(chunk_size=1000):
        yield _row(visit, marks)


def _row(visit: Visit, marks: list[str]) -> VisitRow:
    chosen = [mark for mark in MARKS if mark.key in marks and getattr(visit, f"mark_{mark.key}")]
    performer_ids = {s.pk for s in visit.staff.all()}
    role = ""
    if visit.mark_fok:  # type: ignore[attr-defined]
        role = "ordinary" if visit.fok_ordinary_id in performer_ids else "deputy"  # type: ignore[attr-defined]
    return VisitRow(visit=visit, marks=chosen, contact_role=role)


def _signatures(staff: object) -> str:
    return " ".join(s.signature for s in staff.all())  # type: ignore[attr-defined]


def visits_csv(unit: Unit, visits: QuerySet[Visit], *, bom: bool = True) -> str:
    """Every visit of the overview, one row each, with all four marks as ja/nej
    (Swedish headers and labels: reports.csv_columns)."""
    header = [
        *csv_columns.unit_columns(),
        _("Besöks-id"),
        _("Start"),
        _("Slut"),
        *csv_columns.client_columns(),
        _("Typ"),
        _("Status"),
        _("Utförd av"),
        _("Planerad personal"),
        _("Kvittens"),
        _("Efterregistrerat"),
        _("Ofullständig kvittens"),
        _("Utförd av annan personal"),
        _("Utförd av fast omsorgskontakt"),
        _("Fast omsorgskontakt"),
    ]
    yes_no = csv_columns.yes_no

    def line(row: VisitRow) -> list[object]:
        visit = row.visit
        return [
            *csv_columns.unit_cells(unit),
            visit.visit_id,
            visit.start.astimezone(TZ).strftime("%Y-%m-%d %H:%M"),
            visit.end.astimezone(TZ).strftime("%Y-%m-%d %H:%M") if visit.end else "",
            visit.client.customer_number,
            visit.client.full_name,
            visit.get_kind_display(),
            visit.get_status_display(),
            _signatures(visit.staff),
            _signatures(visit.planned_staff),
            visit.get_receipt_display() if visit.receipt else "",
            yes_no(visit.registered_afterwards),
            yes_no(visit.mark_ofullstandig),  # type: ignore[attr-defined]
            yes_no(visit.mark_annan_personal),  # type: ignore[attr-defined]
            yes_no(visit.mark_fok),  # type: ignore[attr-defined]
            csv_columns.contact_role_label(row.contact_role),
        ]

    return csv_text(header, (line(row) for row in iter_rows(visits, MARK_KEYS)), bom=bom)
