from django.urls import reverse

from omsorg.http import pk_url


def test_pk_url_gives_what_reverse_gives():
    url = pk_url("client_detail")
    for pk in (1, 7, 918273645, 12345678901):
        assert url(pk) == reverse("client_detail", args=[pk])
