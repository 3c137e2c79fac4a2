"""Every write to children, reports, case files and assignments, one module per concern:

intake (a report and its children), households (family groups), siblings (a step once for several
files), transitions (the steps of the procedure), assignments (agencies' work), notes, attachments,
restriction, privacy (personal-data duties), retention. `common` holds what they share. They are
imported here so that callers write `services.case_assess(…)`.
"""

from .assignments import (
    assignment_accept,
    assignment_close,
    assignment_decline,
    assignment_reassign,
    assignment_report_progress,
    assignments_cancel_for_case,
    assignments_open_for_plan,
)
from .attachments import attachment_add, store_attachment
from .community import (
    CommunityReportInput,
    community_report_close,
    community_report_submit,
)
from .households import household_group_report, household_leave, household_link
from .intake import CaregiverInput, ChildInput, ReportInput, report_receive
from .lists import case_extra_save, extra_field_save, list_entry_save
from .merges import child_merge, child_merge_undo, duplicate_dismiss, undo_refusal
from .notes import note_add
from .offline import offline_key_check, offline_key_issue, offline_keys_revoke, replayed
from .responsibility import (
    Handover,
    HandoverPlan,
    KeptFile,
    case_assign_officer,
    caseload_hand_over,
    caseload_handover_plan,
)
from .restriction import case_restrict, case_unrestrict
from .safety import SafetyItemInput, safety_plan_record
from .siblings import GROUP_STEPS, step_for_siblings
from .transitions import (
    MeasureInput,
    case_accept_transfer,
    case_approve_closure,
    case_approve_plan,
    case_assess,
    case_decline_transfer,
    case_investigate,
    case_mark_not_child_protection,
    case_record_emergency,
    case_reject_closure,
    case_reopen,
    case_return_plan,
    case_review,
    case_submit_plan,
    case_transfer,
)
from .visits import (
    VisitRecord,
    flag_lift,
    flag_raise,
    visit_cancel,
    visit_record,
    visit_schedule,
)

__all__ = [
    "GROUP_STEPS",
    "CaregiverInput",
    "ChildInput",
    "CommunityReportInput",
    "Handover",
    "HandoverPlan",
    "KeptFile",
    "MeasureInput",
    "ReportInput",
    "SafetyItemInput",
    "VisitRecord",
    "assignment_accept",
    "assignment_close",
    "assignment_decline",
    "assignment_reassign",
    "assignment_report_progress",
    "assignments_cancel_for_case",
    "assignments_open_for_plan",
    "attachment_add",
    "case_accept_transfer",
    "case_approve_closure",
    "case_approve_plan",
    "case_assess",
    "case_assign_officer",
    "case_decline_transfer",
    "case_extra_save",
    "case_investigate",
    "case_mark_not_child_protection",
    "case_record_emergency",
    "case_reject_closure",
    "case_reopen",
    "case_restrict",
    "case_return_plan",
    "case_review",
    "case_submit_plan",
    "case_transfer",
    "case_unrestrict",
    "caseload_hand_over",
    "caseload_handover_plan",
    "child_merge",
    "child_merge_undo",
    "community_report_close",
    "community_report_submit",
    "duplicate_dismiss",
    "extra_field_save",
    "flag_lift",
    "flag_raise",
    "household_group_report",
    "household_leave",
    "household_link",
    "list_entry_save",
    "note_add",
    "offline_key_check",
    "offline_key_issue",
    "offline_keys_revoke",
    "replayed",
    "report_receive",
    "safety_plan_record",
    "step_for_siblings",
    "store_attachment",
    "undo_refusal",
    "visit_cancel",
    "visit_record",
    "visit_schedule",
]
