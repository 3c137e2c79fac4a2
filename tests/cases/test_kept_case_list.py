"""A commune's case list is kept in the shared cache and read again once the database stamps one of its
communes (cases.models.CaseListStamp, written by triggers, migration 0031): whatever writes a file, its
deadlines or its child's name — a service, a bulk update, hand-written SQL — the officer's next page shows it.
Every read is recorded as before; the rows' HTML is made again when a badge's words can change."""

import contextlib
import datetime
import threading
import time

import psycopg
import pytest
import time_machine
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import AuditEvent
from cases import services
from cases.list_stamps import stamped_at_the_end
from cases.models import CaseFile, CaseListStamp, Child
from config.settings.base import redis_cache
from notifications.calendar import LOCAL
from notifications.models import Deadline
from notifications.urgency import Clock, next_change, next_midnight
from tests.factories import assess
from tests.test_healthz import _free_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(cast):
    client = Client()
    client.force_login(cast.officer)
    return client


def _page(client, path="/cases/") -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def _rows(page: str) -> str:
    """The list's rows (phone cards and table), without the rest of the page (its form's token changes)."""
    return page.split('<div class="list-group d-md-none mb-3">')[1].split("</tbody>")[0]


def _reads_case_files(client, path="/cases/") -> tuple[str, bool]:
    """The page, and whether it asked the database for case files."""
    with CaptureQueriesContext(connection) as queries:
        page = _page(client, path)
    return page, any('FROM "cases_casefile"' in query["sql"] for query in queries.captured_queries)


def test_the_list_is_read_once_then_kept_and_every_read_is_recorded(cast, receive, officer):
    case = receive().case_files.get()
    first, read = _reads_case_files(officer)
    assert read
    assert case.reference in first
    again, read = _reads_case_files(officer)
    assert not read  # kept: no case file, count or deadline read
    assert case.reference in again
    assert "Nguyễn Văn An" in again
    assert again.count('data-testid="case-row"') == first.count('data-testid="case-row"') == 1
    assert 'data-testid="deadline-' in again  # its open deadlines kept with it
    lists = AuditEvent.objects.filter(object_type="case_list", user=cast.officer, action="view")
    assert [event.fields["cases"] for event in lists] == [[case.pk], [case.pk]]


def _rename(case):
    Child.objects.filter(pk=case.child_id).update(full_name="Trần Thị Bích")  # a bulk update: no signal, no save()
    return "Trần Thị Bích"


def _sql(case):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE cases_casefile SET reference = 'HS-SQL-000001' WHERE id = %s", [case.pk])
    return "HS-SQL-000001"


def _risk(case):
    CaseFile.objects.filter(pk=case.pk).update(risk_level="high")
    return "Cao"


def _state(case):
    assess(case, case.officer)  # through the services, as an officer does it
    return "Đã đánh giá nguy cơ ban đầu"


@pytest.mark.parametrize("change", [_rename, _sql, _risk, _state], ids=["child's name", "SQL", "risk", "state"])
def test_any_write_of_what_the_list_shows_is_on_the_next_page(receive, officer, change):
    case = receive().case_files.get()
    _page(officer)
    _page_kept, read = _reads_case_files(officer)
    assert not read  # kept until the change
    shown = change(case)
    page, read = _reads_case_files(officer)
    assert read
    assert shown in page


def _case_deadlines(case):
    return Deadline.objects.filter(target_type=ContentType.objects.get_for_model(CaseFile), target_id=case.pk)


def test_a_deadline_met_moved_or_added_is_on_the_next_page(receive, officer):
    case = receive().case_files.get()
    open_deadlines = _case_deadlines(case).filter(state="open")
    kinds = set(open_deadlines.values_list("kind", flat=True))
    first = _page(officer)
    assert all(f'data-testid="deadline-{kind}"' in first for kind in kinds)
    met = sorted(kinds)[0]
    open_deadlines.filter(kind=met).update(state="met", met_at=timezone.now())
    assert f'data-testid="deadline-{met}"' not in _page(officer)
    moved = sorted(kinds)[1]
    due = timezone.now() + datetime.timedelta(days=40)
    open_deadlines.filter(kind=moved).update(due_at=due)
    assert f"{due.astimezone(LOCAL):%d/%m/%Y}" in _rows(_page(officer))
    added = open_deadlines.get(kind=moved)
    added.pk, added.kind = None, "review"
    added.save()
    assert 'data-testid="deadline-review"' in _page(officer)


def test_a_new_report_and_a_file_moved_are_on_both_communes_next_pages(tree, cast, receive, officer):
    case = receive().case_files.get()
    elsewhere = Client()
    elsewhere.force_login(cast.officer_elsewhere)
    assert case.reference not in _page(elsewhere)
    _page(officer)
    second = receive().case_files.get()
    page = _page(officer)
    assert second.reference in page
    assert case.reference in page
    CaseFile.objects.filter(pk=case.pk).update(commune=tree.commune_c4)
    assert case.reference not in _page(officer)
    assert case.reference in _page(elsewhere)


def test_a_transfer_asked_then_declined_shows_on_the_receiving_communes_list_then_goes(tree, cast, receive):
    case = receive().case_files.get()
    assess(case, cast.officer)
    receiving = Client()
    receiving.force_login(cast.officer_elsewhere)
    assert case.reference not in _page(receiving)
    assert case.reference not in _page(receiving)  # kept
    case.refresh_from_db()
    services.case_transfer(actor=cast.officer, case=case, to_commune=tree.commune_c4, reason="Chuyển nhà.")
    assert case.reference in _page(receiving)
    case.refresh_from_db()
    services.case_decline_transfer(actor=cast.officer_elsewhere, case=case, reason="Trẻ không sống ở đây.")
    assert case.reference not in _page(receiving)


def test_a_restricted_file_leaves_the_list_of_those_it_does_not_name_and_comes_back(cast, receive):
    case = receive().case_files.get()
    chairman = Client()
    chairman.force_login(cast.chairman)
    assert case.reference in _page(chairman)
    services.case_restrict(
        actor=cast.coordinator_district, case=case, named_users=[cast.officer], reason="Người bị tố là cán bộ."
    )
    assert case.reference not in _page(chairman)
    case.refresh_from_db()
    services.case_unrestrict(actor=cast.coordinator_district, case=case, reason="Đã xác minh.")
    assert case.reference in _page(chairman)
    # Written by hand, with nothing else told: the stamp alone takes it off the list.
    CaseFile.objects.filter(pk=case.pk).update(is_restricted=True)
    assert case.reference not in _page(chairman)


def test_a_change_rolled_back_changes_neither_the_stamp_nor_the_list(receive, officer, tree):
    case = receive().case_files.get()
    _page(officer)
    stamp = CaseListStamp.objects.get(commune_id=tree.commune_c1.pk).stamp
    with contextlib.suppress(RuntimeError), transaction.atomic():
        CaseFile.objects.filter(pk=case.pk).update(reference="HS-NEVER")
        raise RuntimeError
    assert CaseFile.objects.get(pk=case.pk).reference == case.reference
    assert CaseListStamp.objects.get(commune_id=tree.commune_c1.pk).stamp == stamp
    page, read = _reads_case_files(officer)
    assert not read
    assert "HS-NEVER" not in page
    assert case.reference in page


def test_what_no_list_shows_leaves_the_stamp(receive, tree):
    case = receive().case_files.get()
    stamp = CaseListStamp.objects.get(commune_id=tree.commune_c1.pk).stamp
    # The escalation's cursor moves many times a day; a child's other details are not on the list.
    Deadline.objects.filter(target_id=case.pk).update(next_step=3, next_step_at=timezone.now())
    Child.objects.filter(pk=case.child_id).update(birth_date=datetime.date(2014, 1, 1))
    assert CaseListStamp.objects.get(commune_id=tree.commune_c1.pk).stamp == stamp
    CaseFile.objects.filter(pk=case.pk).update(updated_at=timezone.now())
    assert CaseListStamp.objects.get(commune_id=tree.commune_c1.pk).stamp > stamp


def test_filtered_lists_and_a_provinces_list_are_read_each_time(cast, receive, officer):
    case = receive().case_files.get()
    for _ in range(2):
        page, read = _reads_case_files(officer, "/cases/?state=received")
        assert read
        assert case.reference in page
    coordinator = Client()
    coordinator.force_login(cast.coordinator_province)
    for _ in range(2):
        page, read = _reads_case_files(coordinator)
        assert read
        assert case.reference in page


def test_pages_of_a_long_list_are_kept_each_with_its_own_rows(receive, officer):
    references = [receive().case_files.get().reference for _ in range(3)]
    first = [_rows(_page(officer, "/cases/?page=1")), _rows(_page(officer, "/cases/?page=1"))]
    assert first[0] == first[1]
    assert all(reference in first[1] for reference in references)
    # Past the last page: the last page, as Django's paginator answers, kept or not.
    assert _page(officer, "/cases/?page=9").count('data-testid="case-row"') == 3
    assert _page(officer, "/cases/?page=9").count('data-testid="case-row"') == 3


def test_with_the_cache_down_the_list_is_read_from_the_database(settings, receive, officer):
    case = receive().case_files.get()
    settings.CACHES = {"default": redis_cache(f"redis://127.0.0.1:{_free_port()}/0")}
    for _ in range(2):
        page, read = _reads_case_files(officer)
        assert read
        assert case.reference in page


@pytest.mark.django_db(transaction=True)
def test_a_table_emptied_stamps_every_commune(receive, officer, tree):
    receive()
    assert 'data-testid="deadline-' in _page(officer)
    stamp = CaseListStamp.objects.get(commune_id=tree.commune_c1.pk).stamp
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE notifications_deadline CASCADE")
    assert CaseListStamp.objects.get(commune_id=tree.commune_c1.pk).stamp > stamp
    assert 'data-testid="deadline-' not in _page(officer)


def test_the_rows_html_is_made_for_each_language(receive, officer):
    receive()
    vietnamese = _rows(_page(officer))
    officer.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = _rows(_page(officer))
    assert "Đã tiếp nhận" in vietnamese
    assert "Received" in english
    assert "Đã tiếp nhận" not in english


def test_the_rows_html_changes_when_a_badge_would_say_something_else(cast, receive):
    """The rows' HTML of a page asked again is not made twice, until a badge's words can change: here the
    hours left before a deadline, then its passing."""
    case = receive().case_files.get()
    deadline = _case_deadlines(case).order_by("due_at").first()
    # Due at 03:00 tomorrow: "N hours left" from the evening before (not "due today").
    due = next_midnight(timezone.now()) + datetime.timedelta(days=1, hours=3)
    Deadline.objects.filter(pk=deadline.pk).update(due_at=due)
    deadline.refresh_from_db()

    def rows_at(moment) -> str:
        with time_machine.travel(moment, tick=False):
            client = Client()
            client.force_login(cast.officer)
            return _rows(_page(client))

    before = rows_at(deadline.due_at - datetime.timedelta(hours=5, minutes=10))
    assert rows_at(deadline.due_at - datetime.timedelta(hours=5, minutes=9)) == before
    later = rows_at(deadline.due_at - datetime.timedelta(hours=4, minutes=50))
    overdue = rows_at(deadline.due_at + datetime.timedelta(minutes=1))
    marker = f'data-testid="deadline-{deadline.kind}"'
    badge = [rows.split(marker)[1].split("</span>")[0] for rows in (before, later, overdue)]
    assert "5 giờ" in badge[0]
    assert "4 giờ" in badge[1]
    assert 'data-urgency="overdue"' in badge[2]


def test_a_badge_holds_until_next_change_and_not_a_moment_longer():
    """next_change against the badge itself (Clock.of and deadline_status), at every minute of four days
    around deadlines of several lengths: the words, the level and the status never change before it."""
    from notifications.selectors import OpenDeadline, deadline_status

    start = datetime.datetime(2026, 12, 1, 2, 17, 43, tzinfo=datetime.UTC)
    for allowed in (datetime.timedelta(hours=24), datetime.timedelta(days=7), datetime.timedelta(days=15)):
        deadline = OpenDeadline(1, "initial_assessment", start, start + allowed)

        def said(moment, deadline=deadline):
            urgency = Clock(moment).of(deadline.due_at)
            return urgency.level, urgency.words, deadline_status(deadline, moment)

        moment = deadline.due_at - datetime.timedelta(days=2, minutes=7)
        end = deadline.due_at + datetime.timedelta(days=2)
        holds_until, shown = next_change(deadline.due_at, deadline.starts_at, moment), said(moment)
        while moment < end:
            moment += datetime.timedelta(minutes=1)
            if moment >= holds_until:
                holds_until, shown = next_change(deadline.due_at, deadline.starts_at, moment), said(moment)
                assert holds_until > moment
            else:
                assert said(moment) == shown, (allowed, moment)


@pytest.mark.django_db(transaction=True)
def test_a_long_transaction_stamps_its_commune_at_its_end_and_holds_no_one_meanwhile(cast, receive, tree):
    """A register's import writes for seconds in one transaction (stamped_at_the_end); meanwhile a report
    received in the same commune is not held by the commune's stamp. Without the deferral it would be."""
    case, other = receive().case_files.get(), receive().case_files.get()
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)

    def bystander() -> bool:
        """Another session stamps the commune (a report received there) within 2 s, or not."""
        with psycopg.connect(**params, autocommit=True) as other_session:
            other_session.execute("SET lock_timeout = '2s'")
            try:
                other_session.execute("UPDATE cases_casefile SET risk_level = 'high' WHERE id = %s", [other.pk])
            except psycopg.errors.LockNotAvailable:
                return False
            return True

    before = CaseListStamp.objects.get(commune_id=tree.commune_c1.pk).stamp
    with transaction.atomic():
        with stamped_at_the_end():
            CaseFile.objects.filter(pk=case.pk).update(reference="HS-IMPORT-1")
            answers: list[bool] = []
            worker = threading.Thread(target=lambda: answers.append(bystander()))
            worker.start()
            worker.join()
            assert answers == [True]
        # At the block's end the stamps are written, inside the transaction: now it holds the commune.
        worker = threading.Thread(target=lambda: answers.append(bystander()))
        worker.start()
        worker.join()
        assert answers == [True, False]
        # After the block every change stamps again (the transaction may read the list in between).
        at_the_end = CaseListStamp.objects.get(commune_id=tree.commune_c1.pk).stamp
        assert at_the_end > before
        CaseFile.objects.filter(pk=case.pk).update(reference="HS-IMPORT-2")
        assert CaseListStamp.objects.get(commune_id=tree.commune_c1.pk).stamp > at_the_end
    assert CaseListStamp.objects.get(commune_id=tree.commune_c1.pk).stamp > before


def _session():
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    return psycopg.connect(**params)


def _waits(session) -> bool:
    """Whether SESSION's statement waits for a lock (polled up to 5 s)."""
    pid = session.info.backend_pid
    for _ in range(50):
        with _session() as probe:
            waiting = probe.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone()
        if waiting and waiting[0] == "Lock":
            return True
        time.sleep(0.1)
    return False


def _stamp(commune) -> int:
    with _session() as session:
        found = session.execute("SELECT stamp FROM cases_caseliststamp WHERE commune_id = %s", [commune.pk]).fetchone()
    return found[0] if found else 0


@pytest.mark.django_db(transaction=True)
def test_a_deadline_changed_while_its_file_moves_stamps_the_commune_it_moves_to(cast, receive, tree):
    """Session A moves a file to commune C4; meanwhile session B changes one of its deadlines, reads the file
    in C1 (A has not committed) and waits for C1's stamp. Once A commits, B stamps C4 too: a C4 page kept
    between the two commits is not kept past B's."""
    case = receive().case_files.get()
    deadline = _case_deadlines(case).filter(state="open").first()
    with _session() as mover, _session() as changer:
        mover.execute("UPDATE cases_casefile SET commune_id = %s WHERE id = %s", [tree.commune_c4.pk, case.pk])
        done = threading.Event()

        def change():
            changer.execute(
                "UPDATE notifications_deadline SET due_at = due_at + interval '1 hour' WHERE id = %s", [deadline.pk]
            )
            done.set()

        worker = threading.Thread(target=change)
        worker.start()
        assert _waits(changer)
        mover.commit()
        worker.join(timeout=10)
        assert done.is_set()
        moved = _stamp(tree.commune_c4)
        changer.commit()
    assert _stamp(tree.commune_c4) > moved


@pytest.mark.django_db(transaction=True)
def test_a_file_coming_to_a_child_waits_for_a_correction_of_the_childs_name(cast, receive, tree):
    """Session A corrects a child's name; session B moves another child's file to that child (a merge).
    B waits for A: had it committed first, A's trigger would not have seen the file, and its commune's list
    would have kept the old name."""
    case = receive().case_files.get()
    other = receive().case_files.get()
    CaseFile.objects.filter(pk=other.pk).update(commune=tree.commune_c2)  # no stamp shared with the first file
    with _session() as renamer, _session() as merger:
        renamer.execute("UPDATE cases_child SET full_name = 'Trần Văn Mới' WHERE id = %s", [case.child_id])
        done = threading.Event()

        def merge():
            merger.execute("UPDATE cases_casefile SET child_id = %s WHERE id = %s", [case.child_id, other.pk])
            done.set()

        worker = threading.Thread(target=merge)
        worker.start()
        assert _waits(merger)
        assert not done.is_set()
        renamer.commit()
        worker.join(timeout=10)
        assert done.is_set()
        merger.commit()
