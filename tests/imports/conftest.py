import pytest

from tests.contacts.factories import ClientFactory, StaffFactory, UnitFactory


@pytest.fixture
def world():
    """A unit, a client (K1) and two of the unit's staff (brs89, kal01)."""
    unit = UnitFactory(code="U1", name="Norr")
    client = ClientFactory(customer_number="K1")
    britta = StaffFactory(signature="brs89", units=[unit])
    kalle = StaffFactory(signature="kal01", units=[unit])
    return unit, client, britta, kalle
