"""The navigation bar is kept per process for what it shows (config/templatetags/navigation.py): each person
still sees their own menu, name and counts, and its logout form carries the page's own CSRF token."""

import re

import pytest
from django.test import Client

from notifications.services import notify

pytestmark = pytest.mark.django_db


def page(user, path="/", **client_options) -> tuple[Client, str]:
    client = Client(**client_options)
    client.force_login(user)
    return client, client.get(path, HTTP_ACCEPT_LANGUAGE="en").content.decode()


def nav_of(body: str) -> str:
    return body[body.index('<nav class="navbar') : body.index("</nav>")]


def test_each_person_sees_their_own_menu_name_and_counts(cast, django_capture_on_commit_callbacks):
    officer, police = nav_of(page(cast.officer)[1]), nav_of(page(cast.police)[1])
    assert 'href="/cases/"' in officer
    assert 'href="/cases/"' not in police
    assert 'data-testid="nav-inbox"' in police
    assert 'data-testid="nav-inbox"' not in officer
    assert cast.officer.get_full_name() in officer
    assert cast.police.get_full_name() in police
    assert cast.officer.get_full_name() not in police
    assert 'data-testid="unread-count"' not in officer
    with django_capture_on_commit_callbacks(execute=True):  # the bell's kept count is forgotten on commit
        notify(user=cast.officer, title="Một")
    assert 'data-testid="unread-count">1<' in nav_of(page(cast.officer)[1])
    assert 'data-testid="unread-count"' not in nav_of(page(cast.police)[1])


def test_the_logout_form_carries_the_pages_own_token(cast):
    client, body = page(cast.officer, enforce_csrf_checks=True)
    logout_form = nav_of(body)[nav_of(body).index('action="/accounts/logout/"') :]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', logout_form).group(1)
    assert "navbar" not in token
    _other, other_body = page(cast.officer, enforce_csrf_checks=True)
    assert re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', nav_of(other_body)).group(1) != token
    assert client.post("/accounts/logout/", {"csrfmiddlewaretoken": token}).status_code == 302
    assert client.get("/cases/").status_code == 302  # logged out: sent to the login page


def test_the_offline_banner_kept_per_process_carries_each_persons_own_account(cast):
    """The offline banner is rendered once per process for a person's roles: two officers with the same roles
    each get their own account on it (the offline store is keyed by it)."""
    officer, other = page(cast.officer, "/cases/")[1], page(cast.officer_elsewhere, "/cases/")[1]
    assert f'data-user="{cast.officer.pk}"' in officer
    assert f'data-user="{cast.officer_elsewhere.pk}"' in other
    assert f'data-user="{cast.officer.pk}"' not in other


def test_the_empty_filter_form_kept_per_process_follows_the_lists_and_a_filled_one_keeps_what_was_typed(
    cast, tree, receive
):
    """The case list's empty filter form is rendered once per process for the choices it offers: relabelling a
    form of abuse shows at once; a filled form (values, errors) is rendered each time and keeps what was typed."""
    from cases import services
    from cases.models import ListEntry

    receive()
    client, body = page(cast.officer, "/cases/")
    violence = ListEntry.objects.get(kind="abuse_form", code="violence")
    assert f'value="violence">{violence.label_en or violence.label_vi}<' in body
    violence.label_en = "Violence of every kind"
    services.list_entry_save(actor=cast.admin, entry=violence)
    body = client.get("/cases/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'value="violence">Violence of every kind<' in body
    filled = client.get(
        "/cases/?q=Nguy%E1%BB%85n+An&opened_from=2026-03-02&opened_to=2026-03-01", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert 'data-testid="error-opened_to"' in filled
    assert 'value="Nguyễn An"' in filled
    assert 'value="2026-03-02"' in filled
    body = client.get("/cases/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="error-opened_to"' not in body
    assert 'value="Nguyễn An"' not in body
