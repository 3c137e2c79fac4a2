"""What each kind of register entry issues, told by the app that issues it (the register knows no case, plan or
report): where its page is, and who may open its file. Apps register in their AppConfig.ready()."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Subject:
    # The page of the thing issued (a report, a plan, a case file) for a register entry.
    url: Callable[[object], str]
    # May USER open the file of DOCUMENT? Raise Http404/PermissionDenied (and record the refusal) or return.
    # None: the register's own rule (users whose report roles cover the issuing unit).
    check: Callable[[object, object], None] | None = None
    # The subject ids whose register entries USER may see at all (a queryset of ids). None: every entry of
    # the register's rule. A case form's entry names the case file: it is listed only to who may see it.
    visible_ids: Callable[[object], object] | None = None


_SUBJECTS: dict[str, Subject] = {}


def register_subject(kind: str, subject: Subject) -> None:
    _SUBJECTS[kind] = subject


def subject_of(kind: str) -> Subject | None:
    return _SUBJECTS.get(kind)


def subjects() -> dict[str, Subject]:
    return dict(_SUBJECTS)
