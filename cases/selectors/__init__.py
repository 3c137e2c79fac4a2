"""Every read of case files, children and assignments that lists, searches or aggregates; scoped by
the access door (cases.access), which records the reads. One module per concern."""

from .assignments import assignments_of_my_agencies, open_assignments_in_area, workload_by_agency
from .audit import AuditFilters, audit_trail, with_references
from .case_files import (
    CaseFilters,
    CaseRow,
    case_detail,
    case_export_rows,
    case_list,
    case_list_page,
    case_viewers,
)
from .children import ChildMatch, child_search
from .households import Family, HistorySnapshot, family_of_case, history_snapshot
from .privacy import case_files_of_child, data_requests_in_area
from .safety import safety_case, safety_plans_of
from .statistics import report_count

__all__ = [
    "AuditFilters",
    "CaseFilters",
    "CaseRow",
    "ChildMatch",
    "Family",
    "HistorySnapshot",
    "assignments_of_my_agencies",
    "audit_trail",
    "case_detail",
    "case_export_rows",
    "case_files_of_child",
    "case_list",
    "case_list_page",
    "case_viewers",
    "child_search",
    "data_requests_in_area",
    "family_of_case",
    "history_snapshot",
    "open_assignments_in_area",
    "report_count",
    "safety_case",
    "safety_plans_of",
    "with_references",
    "workload_by_agency",
]
