"""contacts.bulk.keys_filter: the import's lookups of many keys in one parameter."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contacts import bulk
from contacts.models import Client, Staff
from tests.contacts.factories import ClientFactory, StaffFactory, UnitFactory

pytestmark = pytest.mark.django_db


def test_text_keys_find_exactly_the_rows_named():
    clients = [ClientFactory(customer_number=f"K{n:03d}") for n in range(5)]
    wanted = ["K001", "K003", "K999", "k001"]  # one unknown, one in another case
    found = Client.objects.filter(bulk.keys_filter(Client, "customer_number", wanted))
    assert {c.pk for c in found} == {clients[1].pk, clients[3].pk}
    assert not Client.objects.filter(bulk.keys_filter(Client, "customer_number", []))


def test_foreign_key_ids_of_any_size_are_matched_in_one_parameter():
    units = [UnitFactory(), UnitFactory()]
    staff = [StaffFactory(units=[units[n % 2]]) for n in range(4)]
    through = Staff.units.through
    # Ids beyond 32,767 and 2³¹ are sent as an array of the column's type.
    keys = [staff[0].pk, staff[2].pk, 40_000, 3_000_000_000]
    with CaptureQueriesContext(connection) as queries:
        rows = set(
            through.objects.filter(bulk.keys_filter(through, "staff", keys)).values_list(
                "staff_id", "unit_id"
            )
        )
    assert rows == {(staff[0].pk, units[0].pk), (staff[2].pk, units[0].pk)}
    assert len(queries) == 1
