from django.urls import reverse

from omsorg.http import pk_url, pks_url


def test_pk_url_gives_what_reverse_gives():
    url = pk_url("client_detail")
    for pk in (1, 7, 918273645, 12345678901):
        assert url(pk) == reverse("client_detail", args=[pk])


def test_pks_url_gives_what_reverse_gives():
    url = pks_url("fok_edit")
    for pk, other in ((1, 2), (2, 1), (7, 7), (918273645, 918273646), (12345678901, 3)):
        assert url(pk, other) == reverse("fok_edit", args=[pk, other])
