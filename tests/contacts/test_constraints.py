import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction

from contacts.models import CareContact, CareContactChange, Client, Service, Staff
from tests.contacts.factories import ClientFactory, ServiceFactory, StaffFactory, UnitFactory

pytestmark = pytest.mark.django_db


# SQLite names the columns of a failed unique constraint, not the constraint.
UNIQUE_COLUMNS = {
    "contacts_carecontact_one_per_client_unit": "contacts_carecontact.client_id, "
    "contacts_carecontact.unit_id",
}


def violates(constraint, fn):
    expected = constraint
    if connection.vendor == "sqlite" and constraint in UNIQUE_COLUMNS:
        expected = f"UNIQUE constraint failed: {UNIQUE_COLUMNS[constraint]}"
    with pytest.raises(IntegrityError, match=expected), transaction.atomic():
        fn()


def test_a_client_has_one_care_contact_per_unit():
    client, unit = ClientFactory(), UnitFactory()
    CareContact.objects.create(client=client, unit=unit)
    violates(
        "contacts_carecontact_one_per_client_unit",
        lambda: CareContact.objects.create(client=client, unit=unit),
    )
    CareContact.objects.create(client=client, unit=UnitFactory())


def _change(**fields):
    client, unit = ClientFactory(), UnitFactory()
    anchor = CareContact.objects.create(client=client, unit=unit)
    values = {"effective": dt.date(2025, 1, 1), "old_status": "not_asked", **fields}
    return CareContactChange.objects.create(care_contact=anchor, client=client, unit=unit, **values)


def test_deputy_is_never_the_ordinary():
    staff = StaffFactory()
    violates(
        "contacts_carecontactchange_deputy_not_ordinary",
        lambda: _change(status="accepted", ordinary=staff, deputy=staff),
    )


def test_accepted_requires_an_ordinary_and_others_have_none():
    violates(
        "contacts_carecontactchange_accepted_has_ordinary",
        lambda: _change(status="accepted"),
    )
    violates(
        "contacts_carecontactchange_contacts_only_when_accepted",
        lambda: _change(status="declined", ordinary=StaffFactory()),
    )


def test_status_must_be_one_of_the_four():
    violates("contacts_carecontactchange_status_valid", lambda: _change(status="x"))


def test_a_change_is_never_in_force_before_it_takes_effect():
    violates(
        "contacts_carecontactchange_period_not_reversed",
        lambda: _change(status="no_need", valid_until=dt.date(2024, 12, 31)),
    )
    # An empty period (corrected the same day) is allowed.
    _change(status="no_need", valid_until=dt.date(2025, 1, 1))


def test_service_ends_after_it_starts_and_has_a_known_kind():
    violates(
        "contacts_service_end_after_start",
        lambda: ServiceFactory(start=dt.date(2025, 2, 1), end=dt.date(2025, 1, 31)),
    )
    violates("contacts_service_kind_valid", lambda: ServiceFactory(kind="massage"))
    ServiceFactory(start=dt.date(2025, 2, 1), end=dt.date(2025, 2, 1))


def test_staff_title_must_be_known():
    violates("contacts_staff_title_valid", lambda: StaffFactory(title="doctor"))


def test_client_birth_date_and_sex_come_from_the_personal_id():
    client = ClientFactory(personal_id="194003059864")
    client.refresh_from_db()
    assert client.personal_id == "19400305-9864"
    assert client.birth_date == dt.date(1940, 3, 5)
    assert client.sex == Client.Sex.FEMALE
    assert client.age_on(dt.date(2005, 3, 5)) == 65
    assert client.age_on(dt.date(2005, 3, 4)) == 64


def test_service_is_ongoing_through_its_end_date():
    service = ServiceFactory(start=dt.date(2025, 1, 1), end=dt.date(2025, 1, 31))
    assert service.ongoing_on(dt.date(2025, 1, 31))
    assert not service.ongoing_on(dt.date(2025, 2, 1))
    ids = Service.objects.filter(Service.ongoing_q(dt.date(2025, 1, 31))).values_list(
        "pk", flat=True
    )
    assert list(ids) == [service.pk]


def test_signature_is_unique():
    StaffFactory(signature="brs89")
    violates(
        "signature",
        lambda: Staff.objects.create(
            first_name="A", last_name="B", title="assistant_nurse", signature="brs89"
        ),
    )
