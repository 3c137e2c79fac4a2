"""Every read of case files, children and assignments that lists, searches or aggregates; scoped by
the access door (cases.access), which records the reads. One module per concern."""

from .assignments import (
    Closing,
    assignments_of_my_agencies,
    open_assignments_in_area,
    what_closing_ends,
    workload_by_agency,
)
from .audit import AuditFilters, audit_trail, with_references
from .case_files import (
    CaseFilters,
    CaseRow,
    case_detail,
    case_list,
    case_list_page,
    case_viewers,
)
from .caseload import CommuneLoad, OfficerLoad, caseload
from .children import ChildMatch, child_search
from .duplicates import (
    Comparison,
    DuplicatePage,
    DuplicatePair,
    case_files_of_record,
    comparison,
    duplicate_pairs,
    duplicates_of_child,
    merges_into_child,
)
from .exports import audit_filters, audit_rows, case_filters, case_filters_from, case_list_rows, caseload_rows
from .households import Family, HistorySnapshot, family_of_case, history_snapshot
from .privacy import case_files_of_child, data_requests_in_area
from .safety import safety_case, safety_plans_of
from .statistics import report_count

__all__ = [
    "AuditFilters",
    "CaseFilters",
    "CaseRow",
    "ChildMatch",
    "Closing",
    "CommuneLoad",
    "Comparison",
    "DuplicatePage",
    "DuplicatePair",
    "Family",
    "HistorySnapshot",
    "OfficerLoad",
    "assignments_of_my_agencies",
    "audit_filters",
    "audit_rows",
    "audit_trail",
    "case_detail",
    "case_files_of_child",
    "case_files_of_record",
    "case_filters",
    "case_filters_from",
    "case_list",
    "case_list_page",
    "case_list_rows",
    "case_viewers",
    "caseload",
    "caseload_rows",
    "child_search",
    "comparison",
    "data_requests_in_area",
    "duplicate_pairs",
    "duplicates_of_child",
    "family_of_case",
    "history_snapshot",
    "merges_into_child",
    "open_assignments_in_area",
    "report_count",
    "safety_case",
    "safety_plans_of",
    "what_closing_ends",
    "with_references",
    "workload_by_agency",
]
