"""The models of the cases app, one module per concern; imported here so that `cases.models.X` works."""

from .assignments import ACTIVE_ASSIGNMENT_STATUSES, Assignment, AssignmentProgress, AssignmentStatus
from .case_files import (
    CaseFile,
    CaseListStamp,
    EmergencyMeasure,
    InitialAssessment,
    InterventionPlan,
    LawfulBasis,
    PlanMeasure,
    Review,
    SpecificAssessment,
    current_plan,
)
from .children import Caregiver, Child, ChildCircumstance
from .community import CommunityReport, CommunityReportStatus, CommunitySource, PublicStatus, Urgency
from .exports import Export, ExportFormat, ExportKind, ExportState
from .households import Household
from .imports import ImportedRow, ImportStatus, RegisterImport, RegisterImportRow, RegisterMapping, RowStatus
from .lists import ExtraField, ExtraFieldTarget, ExtraFieldType, ListEntry, ListKind
from .merges import UNDO_DAYS, ChildMerge, DuplicateDismissal
from .offline import OfflineKey
from .permissions import CaseFileGroupObjectPermission, CaseFileUserObjectPermission
from .privacy import Consent, ConsentGiver, DataSubjectRequest, Disclosure, RequestKind, RequestStatus
from .reports import Report, ReportAbuseForm
from .rules import DeadlineRule, ServiceVisibility
from .safety import SafetyItemKind, SafetyPlan, SafetyPlanItem
from .timeline import Attachment, CaseEvent, Note
from .visits import CaseFlag, ContactRule, Visit

__all__ = [
    "ACTIVE_ASSIGNMENT_STATUSES",
    "UNDO_DAYS",
    "Assignment",
    "AssignmentProgress",
    "AssignmentStatus",
    "Attachment",
    "Caregiver",
    "CaseEvent",
    "CaseFile",
    "CaseFileGroupObjectPermission",
    "CaseFileUserObjectPermission",
    "CaseFlag",
    "CaseListStamp",
    "Child",
    "ChildCircumstance",
    "ChildMerge",
    "CommunityReport",
    "CommunityReportStatus",
    "CommunitySource",
    "Consent",
    "ConsentGiver",
    "ContactRule",
    "DataSubjectRequest",
    "DeadlineRule",
    "Disclosure",
    "DuplicateDismissal",
    "EmergencyMeasure",
    "Export",
    "ExportFormat",
    "ExportKind",
    "ExportState",
    "ExtraField",
    "ExtraFieldTarget",
    "ExtraFieldType",
    "Household",
    "ImportStatus",
    "ImportedRow",
    "InitialAssessment",
    "InterventionPlan",
    "LawfulBasis",
    "ListEntry",
    "ListKind",
    "Note",
    "OfflineKey",
    "PlanMeasure",
    "PublicStatus",
    "RegisterImport",
    "RegisterImportRow",
    "RegisterMapping",
    "Report",
    "ReportAbuseForm",
    "RequestKind",
    "RequestStatus",
    "Review",
    "RowStatus",
    "SafetyItemKind",
    "SafetyPlan",
    "SafetyPlanItem",
    "ServiceVisibility",
    "SpecificAssessment",
    "Urgency",
    "Visit",
    "current_plan",
]
