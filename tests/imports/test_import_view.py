"""The import page for administrators (contacts.import_data)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contacts.models import Unit
from contacts.roles import Role
from tests.contacts.factories import make_user

pytestmark = pytest.mark.django_db

URL = "/import/"


@pytest.fixture
def admin_client(client):
    make_user("admin", role=Role.ADMINISTRATOR)
    client.login(username="admin", password="pw")
    return client


def upload(client, kind, text, **extra):
    file = SimpleUploadedFile("data.csv", text.encode("utf-8-sig"), content_type="text/csv")
    return client.post(URL, {"kind": kind, "file": file}, **extra)


def test_the_url_is_named_import_csv():
    assert reverse("import_csv") == URL


def test_it_shows_the_form_and_the_formats_to_an_administrator(admin_client):
    response = admin_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="file"' in html
    # Every kind documented with its columns.
    for text in [
        "<code>units</code>",
        "<code>permanent_on_2023_07_01</code>",
        "<code>receipt</code>",
    ]:
        assert text in html


def test_a_good_file_is_imported_and_the_counts_shown(admin_client):
    response = upload(admin_client, "units", "code;name\nU1;Norr\nU2;Söder\n")
    assert response.status_code == 200
    assert response.context["job"].result_data["ok"]
    html = response.content.decode()
    assert 'data-testid="count-created">2<' in html
    assert sorted(Unit.objects.values_list("code", flat=True)) == ["U1", "U2"]


def test_a_bad_file_shows_every_line_and_writes_nothing(admin_client):
    response = upload(admin_client, "units", "code;name\nU1;Norr\n;Söder\nU3;\n")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<li>line 3: code: Värde saknas.</li>" in html
    assert "<li>line 4: name: Värde saknas.</li>" in html
    assert Unit.objects.count() == 0


def test_no_file_is_a_form_error_not_a_crash(admin_client):
    response = admin_client.post(URL, {"kind": "units"})
    assert response.status_code == 200
    assert "Välj en fil." in response.content.decode()


def test_an_unknown_kind_is_a_form_error(admin_client):
    response = upload(admin_client, "providers", "code;name\nU1;Norr\n")
    assert response.status_code == 200
    assert response.context["form"].errors["kind"]
    assert Unit.objects.count() == 0


def test_htmx_gets_only_the_panel(admin_client):
    response = upload(admin_client, "units", "code;name\nU1;Norr\n", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="import-panel">')
    assert "<html" not in html
    assert 'data-testid="count-created">1<' in html


@pytest.mark.parametrize("role", [Role.UNIT_MANAGER, Role.CARE_STAFF, Role.STATISTICS])
def test_users_without_the_import_permission_get_403(client, role):
    make_user("someone", role=role)
    client.login(username="someone", password="pw")
    assert client.get(URL).status_code == 403
    response = upload(client, "units", "code;name\nU1;Norr\n")
    assert response.status_code == 403
    assert Unit.objects.count() == 0


def test_anonymous_users_are_sent_to_the_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/login/" in response["Location"]
