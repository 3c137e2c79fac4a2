"""The deadline API other apps use: set, meet, cancel. They never write Deadline rows themselves."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone, translation

from .ladders import arm, ladder_for, ladders_for
from .models import Deadline, DeadlineState, Delivery, DeliveryState, EmailMode, Notification, Preference
from .quiet import ReminderHours
from .recipients import subject_of, without_withheld
from .transports import TRANSPORTS, Planned


def _target_filter(target) -> dict:
    return {"target_type": ContentType.objects.get_for_model(target), "target_id": target.pk}


def _steps_of(ladder) -> list:
    """The ladder's steps in order, from its prefetched rows (ladders_for)."""
    return sorted(ladder.steps.all(), key=lambda step: step.position) if ladder else []


@transaction.atomic
def deadline_set(
    *, target, kind: str, starts_at: datetime.datetime, due_at: datetime.datetime, province=None
) -> Deadline:
    """Open (or move) the deadline KIND on TARGET."""
    deadline = Deadline.objects.select_for_update().filter(**_target_filter(target), kind=kind, state="open").first()
    if deadline is None:
        deadline = Deadline(**_target_filter(target), kind=kind)
    deadline.starts_at, deadline.due_at, deadline.province = starts_at, due_at, province
    deadline.ladder = ladder_for(kind, province.pk if province else None)
    # The foreign keys come from the caller's own rows: no need to query them back.
    deadline.full_clean(exclude=["target_type", "province", "ladder"], validate_constraints=False)
    arm(deadline, steps=_steps_of(deadline.ladder))
    deadline.save()
    return deadline


def deadlines_open(*, target, deadlines: list[tuple[str, datetime.datetime, datetime.datetime]], province=None) -> None:
    """Open several new deadlines [(kind, starts_at, due_at)] on a TARGET that has none of them yet
    (e.g. a case file just received): one insert whatever their number (the ladders are kept, config_cache).
    In the caller's transaction: no savepoint of its own."""
    deadlines_open_many(deadlines=[(target, kind, start, due, province) for kind, start, due in deadlines])


def deadlines_open_many(*, deadlines: list[tuple[object, str, datetime.datetime, datetime.datetime, object]]) -> int:
    """deadlines_open for many targets at once [(target, kind, starts_at, due_at, province)] (a register
    imported: thousands of case files): one insert for them all. Returns how many were opened."""
    by_province: dict = {}
    for _target, kind, _start, _due, province in deadlines:
        by_province.setdefault(province.pk if province else None, set()).add(kind)
    ladders = {pk: ladders_for(sorted(kinds), pk) for pk, kinds in by_province.items()}
    rows = []
    for target, kind, starts_at, due_at, province in deadlines:
        ladder = ladders[province.pk if province else None].get(kind)
        deadline = Deadline(
            **_target_filter(target), kind=kind, starts_at=starts_at, due_at=due_at, province=province, ladder=ladder
        )
        deadline.clean_fields(exclude=["target_type", "province", "ladder"])
        arm(deadline, steps=_steps_of(ladder))
        rows.append(deadline)
    Deadline.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def deadline_meet(*, target, kind: str, at: datetime.datetime | None = None) -> int:
    """Mark the open deadline KIND as met; returns how many rows changed (0 or 1)."""
    at = at or timezone.now()
    return Deadline.objects.filter(**_target_filter(target), kind=kind, state=DeadlineState.OPEN).update(
        state=DeadlineState.MET, met_at=at, closed_at=at
    )


def deadline_cancel(*, target, kinds: list[str] | None = None) -> int:
    """Cancel the open deadlines on TARGET (all of them, or those of KINDS)."""
    rows = Deadline.objects.filter(**_target_filter(target), state=DeadlineState.OPEN)
    if kinds is not None:
        rows = rows.filter(kind__in=kinds)
    return rows.update(state=DeadlineState.CANCELLED, closed_at=timezone.now())


@dataclass
class NotificationDraft:
    user: object
    title: str
    body: str = ""
    url: str = ""
    deadline: Deadline | None = None
    step: int | None = None
    is_urgent: bool = False
    province_id: int | None = None
    # What the notice announces (e.g. "case-event:12"): one notice per person per key.
    key: str = ""
    # A reminder that is not urgent waits for working hours; an emergency or an urgent one never does.
    may_hold: bool = False
    # In the bell at once even when its other channels wait for working hours (a hand-off's notice).
    shown_at_once: bool = False
    # What it is about (a case file…): its alleged perpetrators are never told (notifications.recipients).
    # A deadline's notice is about the deadline's target.
    about: object = None
    # The title and body in the pages' other languages ({"en": {"title": …, "body": …}}): see `worded`.
    translations: dict = field(default_factory=dict)


def in_other_languages(make: Callable):
    """MAKE() in each language of the pages but Vietnamese, as {code: result}."""
    made = {}
    for code, _name in settings.LANGUAGES:
        if code != "vi":
            with translation.override(code):
                made[code] = make()
    return made


def worded(make: Callable[[], tuple[str, str]]) -> dict:
    """A notice's words from MAKE (its title and body in the active language), made in Vietnamese — kept, and
    sent by email, SMS and Zalo — and in each other language of the pages, shown in the bell to whoever reads
    in it. Returns the title, body and translations of a NotificationDraft."""
    with translation.override("vi"):
        title, body = make()
    translations = {
        code: {"title": str(other_title)[:255], "body": str(other_body)}
        for code, (other_title, other_body) in in_other_languages(make).items()
    }
    return {"title": str(title), "body": str(body), "translations": translations}


def notify(**fields) -> Notification | None:
    """One in-app notification with its email and webhook deliveries (see notify_many)."""
    created = _notify_many([NotificationDraft(**fields)])
    return created[0] if created else None


def notify_many(drafts: list[NotificationDraft]) -> int:
    return len(_notify_many(drafts))


def _fresh(drafts: list[NotificationDraft]) -> list[NotificationDraft]:
    """The drafts nobody was told about yet: one notice per person per step of a deadline, and per key."""
    deadline_ids = {draft.deadline.pk for draft in drafts if draft.deadline is not None}
    keys = {draft.key for draft in drafts if draft.key}
    told_steps = set(
        Notification.objects.filter(deadline_id__in=deadline_ids).values_list("user_id", "deadline_id", "step")
    )
    told_keys = set(Notification.objects.filter(key__in=keys).values_list("user_id", "key")) if keys else set()
    fresh, seen = [], set()
    for draft in drafts:
        step = (draft.user.pk, draft.deadline.pk if draft.deadline else None, draft.step)
        keyed = (draft.user.pk, draft.key)
        if draft.deadline is not None and (step in told_steps or step in seen):
            continue
        if draft.key and (keyed in told_keys or keyed in seen):
            continue
        seen.update({step, keyed} if draft.key else {step})
        fresh.append(draft)
    return fresh


def _notify_many(drafts: list[NotificationDraft]) -> list[Notification]:
    """In-app notifications, plus a delivery on each channel that carries them, sent after the commit.

    A user already told about a step of a deadline, or about a hand-off (its key), is not told again.
    A draft that may wait is held until its province's working hours. A fixed number of queries
    whatever the number of drafts.
    """
    if not drafts:
        return []
    fresh = without_withheld(_fresh(drafts))
    if not fresh:
        return []
    now = timezone.now()
    holding = [draft.province_id for draft in fresh if draft.may_hold]
    hours = ReminderHours(holding, now) if holding else None  # no query when nothing may wait
    release = [hours.release_at(draft.province_id) if draft.may_hold else None for draft in fresh]
    notifications = Notification.objects.bulk_create(
        [
            Notification(
                user=draft.user,
                key=draft.key,
                title=draft.title[:255],
                body=draft.body,
                translations=draft.translations,
                url=draft.url,
                deadline=draft.deadline,
                step=draft.step,
                is_urgent=draft.is_urgent,
                deliver_at=None if draft.shown_at_once else release_at,
                about_type_id=subject[0] if subject else None,
                about_id=subject[1] if subject else None,
            )
            for draft, release_at, subject in zip(fresh, release, map(subject_of, fresh), strict=True)
        ],
        batch_size=1000,
    )
    preferences = {
        row.user_id: row for row in Preference.objects.filter(user_id__in={draft.user.pk for draft in fresh})
    }
    planned = [
        Planned(
            notification=notification,
            user=draft.user,
            is_urgent=draft.is_urgent,
            province_id=draft.province_id,
            email_mode=preferences[draft.user.pk].email_mode if draft.user.pk in preferences else EmailMode.DIGEST,
            preference=preferences.get(draft.user.pk),
            now=now,
        )
        for draft, notification in zip(fresh, notifications, strict=True)
    ]
    deliveries = [delivery for transport in TRANSPORTS.values() for delivery in transport.deliveries_for(planned)]
    released = {id(notification): at for notification, at in zip(notifications, release, strict=True)}
    for delivery in deliveries:
        at = released.get(id(delivery.notification))
        if at is not None:
            # A channel may hold it longer already (quiet hours): the later time wins.
            delivery.state, delivery.not_before = DeliveryState.HELD, max(at, delivery.not_before or at)
    if deliveries:
        Delivery.objects.bulk_create(deliveries, batch_size=1000)
        _enqueue_deliveries([d.pk for d in deliveries if d.state == DeliveryState.PENDING])
    _forget_work_counts({draft.user.pk for draft in fresh})
    return notifications


def _forget_work_counts(user_ids) -> None:
    """A notice means new work: the menu's count of it is read again (after the commit)."""
    forget_counts_after_commit(user_ids)


def forget_counts_after_commit(user_ids) -> None:
    """The users' work lists changed: their menu counts are read again once the change is committed."""
    from .work import forget_counts

    ids = list(user_ids)
    transaction.on_commit(lambda: forget_counts(ids))


def release_held(*, now: datetime.datetime | None = None, limit: int = 5000) -> int:
    """Send the held deliveries whose time has come (the beat runs it every minute); each once."""
    now = now or timezone.now()
    with transaction.atomic():
        ids = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(state=DeliveryState.HELD, not_before__lte=now)
            .values_list("pk", flat=True)[:limit]
        )
        if ids:
            Delivery.objects.filter(pk__in=ids, state=DeliveryState.HELD).update(state=DeliveryState.PENDING)
            _enqueue_deliveries(ids)
    return len(ids)


def _enqueue_deliveries(ids: list[int]) -> None:
    """One message per batch of deliveries (a scan may create thousands), through the outbox."""
    from .outbox import enqueue

    for start in range(0, len(ids), 500):
        enqueue("notifications.tasks.deliver_many", ids[start : start + 500])


def notification_mark_read(*, user, ids: list[int] | None = None) -> int:
    """Mark the user's notifications (all unread, or those of IDS) as read; only their own."""
    rows = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=ids)
    return _forget_unread_if(rows.update(read_at=timezone.now()), user)


def notifications_seen(*, user, url_prefix: str) -> int:
    """The user opened what their notices point to (a case file, an assignment): those notices are read."""
    read = Notification.objects.filter(user=user, read_at__isnull=True, url__startswith=url_prefix).update(
        read_at=timezone.now()
    )
    return _forget_unread_if(read, user)


def _forget_unread_if(read: int, user) -> int:
    """Some notices were READ: the bell's kept count is read again, now and once more after the commit (a page
    served meanwhile may have kept the count from before)."""
    if read:
        from .work import forget_kept_figures, forget_unread

        forget_kept_figures(user)
        forget_unread([user.pk])
        transaction.on_commit(lambda: forget_unread([user.pk]))
    return read


def preference_save(*, user, email_mode: str, **channels) -> Preference:
    """EMAIL_MODE and, optionally, sms_enabled, zalo_enabled, quiet_from, quiet_until. SMS and Zalo need a
    verified number: without one they stay off whatever is asked."""
    allowed = {"sms_enabled", "zalo_enabled", "quiet_from", "quiet_until"}
    unknown = set(channels) - allowed
    if unknown:
        raise TypeError(f"unknown preference fields: {sorted(unknown)}")
    with transaction.atomic():
        preference, _created = Preference.objects.select_for_update().get_or_create(user=user)
        preference.email_mode = email_mode
        for name, value in channels.items():
            setattr(preference, name, value)
        if not preference.phone_verified:
            preference.sms_enabled = preference.zalo_enabled = False
        preference.full_clean(exclude=["user"])
        preference.save()
    return preference


def ladders_ensure_defaults() -> int:
    """Create the national default ladders that are missing; never touch existing ones."""
    from .defaults import DEFAULT_LADDERS, NEVER_HELD
    from .models import EscalationLadder, EscalationStep

    created = 0
    for kind, (name, steps) in DEFAULT_LADDERS.items():
        ladder, was_created = EscalationLadder.objects.get_or_create(
            kind=kind, province=None, defaults={"name": name, "hold_outside_hours": kind not in NEVER_HELD}
        )
        if was_created:
            created += 1
            EscalationStep.objects.bulk_create(
                EscalationStep(
                    ladder=ladder,
                    position=position,
                    timing=timing,
                    amount=amount,
                    recipient=recipient,
                    is_urgent=is_urgent,
                )
                for position, (timing, amount, recipient, is_urgent) in enumerate(steps)
            )
    return created
