import datetime as dt

import pytest

from contacts.models import CareContactChange, Client
from contacts.personal_id import make_test_personnummer
from contacts.roles import Role
from tests.conftest import login
from tests.contacts.factories import ServiceFactory, StaffFactory, UnitFactory, make_user

pytestmark = pytest.mark.django_db(transaction=True)

PNR = make_test_personnummer(dt.date(1938, 4, 2), 1, female=True)
BAD_PNR = PNR[:-1] + str((int(PNR[-1]) + 1) % 10)


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8-sig")
    return path


def test_administrator_sees_line_errors_then_imports_a_good_file(page, live_server, tmp_path):
    make_user("admin", role=Role.ADMINISTRATOR)
    login(page, live_server, "admin")
    page.get_by_role("link", name="Import").click()
    page.wait_for_url(f"{live_server.url}/import/")

    bad = write(
        tmp_path,
        "bad.csv",
        f"customer_number;personal_id;first_name;last_name\nK1;{PNR};Agda;Testsson\n"
        f"K2;{BAD_PNR};Börje;Kvist\n",
    )
    page.get_by_label("Vad importeras?").select_option("clients")
    page.get_by_label("CSV-fil").set_input_files(bad)
    page.get_by_role("button", name="Importera").click()
    errors = page.get_by_test_id("import-errors")
    errors.wait_for()
    assert errors.locator("li").all_inner_texts() == [
        f"line 3: personal_id: ”{BAD_PNR}” har fel kontrollsiffra."
    ]
    assert page.get_by_role("heading", name="Inget importerades: 1 fel").is_visible()
    assert Client.objects.count() == 0

    good = write(
        tmp_path,
        "good.csv",
        f"customer_number,personal_id,first_name,last_name\nK1,{PNR},Agda,Testsson\n",
    )
    page.get_by_label("Vad importeras?").select_option("clients")
    page.get_by_label("CSV-fil").set_input_files(good)
    page.get_by_role("button", name="Importera").click()
    page.get_by_test_id("import-counts").wait_for()
    assert page.get_by_test_id("count-created").inner_text() == "1"
    assert page.get_by_test_id("count-updated").inner_text() == "0"
    assert page.get_by_test_id("import-errors").count() == 0
    assert Client.objects.get().customer_number == "K1"


def test_contacts_import_in_the_browser_writes_history_as_import(page, live_server, tmp_path):
    unit = UnitFactory(code="U1", name="Norr")
    ServiceFactory(unit=unit, client__customer_number="K1")
    StaffFactory(signature="brs89", units=[unit])
    make_user("admin", role=Role.ADMINISTRATOR)
    login(page, live_server, "admin")
    page.goto(f"{live_server.url}/import/")
    data = write(
        tmp_path,
        "contacts.csv",
        "customer_number;unit;status;ordinary;effective\n"
        "K1;U1;Brukaren tackar ja;@brs89;2025-02-01\n",
    )
    page.get_by_label("Vad importeras?").select_option("contacts")
    page.get_by_label("CSV-fil").set_input_files(data)
    page.get_by_role("button", name="Importera").click()
    page.get_by_test_id("import-counts").wait_for()
    assert page.get_by_test_id("count-created").inner_text() == "1"
    change = CareContactChange.objects.get()
    assert (change.source, change.changed_by.username) == ("import", "admin")


def test_a_unit_manager_gets_403(page, live_server, unit, manager):
    login(page, live_server, "chef")
    assert page.get_by_role("link", name="Import").count() == 0
    response = page.goto(f"{live_server.url}/import/")
    assert response.status == 403


def test_the_import_page_works_on_a_phone(phone_page, live_server, tmp_path):
    make_user("admin", role=Role.ADMINISTRATOR)
    login(phone_page, live_server, "admin")
    phone_page.goto(f"{live_server.url}/import/")
    bad = write(tmp_path, "bad.csv", "code;name;a_rather_long_unknown_column_name\nU1;Norr;x\n")
    phone_page.get_by_label("CSV-fil").set_input_files(bad)
    phone_page.get_by_role("button", name="Importera").click()
    phone_page.get_by_test_id("import-errors").wait_for()
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the report must not scroll sideways on a phone"


def test_the_import_shows_that_it_is_working_and_blocks_a_second_click(page, live_server, tmp_path):
    make_user("admin", role=Role.ADMINISTRATOR)
    login(page, live_server, "admin")
    page.goto(f"{live_server.url}/import/")
    assert not page.locator("#import-busy").is_visible()
    good = write(
        tmp_path,
        "good.csv",
        f"customer_number,personal_id,first_name,last_name\nK1,{PNR},Agda,Testsson\n",
    )
    page.get_by_label("Vad importeras?").select_option("clients")
    page.get_by_label("CSV-fil").set_input_files(good)
    # What the user sees at the moment the request leaves the browser.
    page.evaluate(
        """window.__busy = new Promise(resolve => document.body.addEventListener(
            'htmx:beforeSend', () => resolve({
                text: getComputedStyle(document.getElementById('import-busy')).display,
                bar: document.getElementById('busy').classList.contains('htmx-request'),
                disabled: document.querySelector('#import-panel button[type=submit]').disabled,
            }), {once: true})); undefined"""
    )
    page.get_by_role("button", name="Importera").click()
    seen = page.evaluate("window.__busy")
    assert seen == {"text": "inline", "bar": True, "disabled": True}
    page.get_by_test_id("import-counts").wait_for()
    assert not page.locator("#busy").evaluate("e => e.classList.contains('htmx-request')")
