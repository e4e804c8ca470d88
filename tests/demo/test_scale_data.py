"""manage.py generate_scale_data: a municipality of the issue's shape, written in
bulk (COPY on PostgreSQL, bulk_create on SQLite), deterministic per seed."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db.models import Count, F
from django.utils import timezone

from contacts import history
from contacts.models import (
    STOCKHOLM,
    CareContact,
    CareContactChange,
    Client,
    Service,
    Staff,
    Unit,
    Visit,
)

pytestmark = pytest.mark.django_db

FIRST = dt.date(2025, 3, 28)  # over the start of summer time (30 March)


def generate(seed: int = 3, clients: int = 140, days: int = 3) -> str:
    out = io.StringIO()
    call_command(
        "generate_scale_data",
        *("--clients", str(clients), "--days", str(days)),
        *("--from", FIRST.isoformat(), "--seed", str(seed)),
        stdout=out,
    )
    return out.getvalue()


def test_the_municipality_has_the_shape_of_the_issue():
    output = generate()
    assert "140 clients" in output
    last = FIRST + dt.timedelta(days=2)
    assert Unit.objects.count() == 2  # 300 units per 20,000 clients
    assert Staff.objects.count() == 40  # 20 staff per unit
    assert Client.objects.count() == 140
    visits = Visit.objects.all()
    # About 2.5 visits per client and day (700,000 in 14 days for 20,000).
    assert 140 * 3 * 2 < visits.count() < 140 * 3 * 3
    assert set(visits.values_list("kind", flat=True)) == set(Visit.Kind.values)
    assert set(visits.values_list("status", flat=True)) == set(Visit.Status.values)
    assert {v.local_date for v in visits} == {FIRST, FIRST + dt.timedelta(days=1), last}
    for visit in visits:  # the stored local date and time agree with the start
        local = timezone.localtime(visit.start, STOCKHOLM)
        assert (visit.local_date, visit.local_time) == (local.date(), local.time())
    teams = Visit.objects.annotate(n=Count("staff"))
    assert teams.filter(n=2).exists()  # double staffing
    assert teams.filter(n=0, status=Visit.Status.PERFORMED).exists()  # no staff registered
    assert teams.filter(n=0, status=Visit.Status.PLANNED).exists()
    assert (
        visits.filter(local_time__gt=dt.time(22)).exists()
        or visits.filter(local_time__lt=dt.time(7)).exists()
    )  # night visits
    # Contact histories with changes inside the period, same-day corrections
    # (an empty period) and periods that link each change to the next.
    changes = CareContactChange.objects.all()
    assert changes.filter(effective__range=(FIRST, last)).exists()
    assert changes.filter(valid_until=F("effective")).exists()
    for change in changes.filter(client__in=Client.objects.all()[:40]):
        before = change.valid_until
        history.link_periods(client=change.client_id, unit=change.unit_id)
        change.refresh_from_db()
        assert change.valid_until == before
    assert Service.objects.filter(end__range=(FIRST, last)).exists()


def _fingerprint() -> list[tuple]:
    return list(
        Visit.objects.order_by("visit_id").values_list(
            "visit_id", "client__personal_id", "unit__code", "start", "status", "kind"
        )
    ) + list(
        Visit.staff.through.objects.order_by("visit__visit_id", "staff__signature").values_list(
            "visit__visit_id", "staff__signature"
        )
    )


def test_same_seed_same_data_and_a_second_seed_alongside():
    generate(seed=5, clients=70, days=2)
    first = _fingerprint()
    for model in (Visit, CareContactChange, CareContact, Service, Client, Staff, Unit):
        model.objects.all().delete()
    generate(seed=5, clients=70, days=2)
    assert _fingerprint() == first
    generate(seed=6, clients=70, days=2)  # another seed fits in the same database
    assert Unit.objects.filter(code__startswith="SK6-").count() == 1
