from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    UNKNOWN = "unknown", _("Not recorded")


class CircumstanceGroup(models.TextChoices):
    """Law on Children 2016, Art. 10 (points a–o)."""

    A = "a", _("a. Orphaned of both parents")
    B = "b", _("b. Abandoned")
    C = "c", _("c. Without anyone to rely on")
    D = "d", _("d. With disabilities")
    DD = "dd", _("đ. Living with HIV/AIDS")
    E = "e", _("e. In conflict with the law")
    G = "g", _("g. Using drugs")
    H = "h", _("h. Dropped out of school to earn a living before finishing lower secondary")
    I = "i", _("i. Seriously harmed physically or mentally by violence")  # noqa: E741
    K = "k", _("k. Exploited")
    L = "l", _("l. Sexually abused")
    M = "m", _("m. Trafficked")
    N = "n", _("n. With a grave or long-term illness in a poor or near-poor household")
    O = "o", _("o. Migrant or refugee without identified parents or caregiver")  # noqa: E741


class ReceivingPoint(models.TextChoices):
    COMMUNE = "commune", _("Commune People's Committee")
    HOTLINE_111 = "hotline_111", _("National hotline 111")
    POLICE = "police", _("Police")
    OTHER = "other", _("Other receiving point")


class ReportSource(models.TextChoices):
    WALK_IN = "walk_in", _("In person")
    PHONE = "phone", _("Phone")
    HOTLINE_111 = "hotline_111", _("Hotline 111")
    SCHOOL = "school", _("School")
    HEALTH = "health", _("Health facility")
    POLICE = "police", _("Police")
    COLLABORATOR = "collaborator", _("Collaborator")
    MEDIA = "media", _("Press and media")
    ONLINE = "online", _("Online")
    OTHER = "other", _("Other")


class Setting(models.TextChoices):
    FAMILY = "family", _("Family")
    SCHOOL = "school", _("School")
    COMMUNITY = "community", _("Community")
    ONLINE = "online", _("Online")
    WORKPLACE = "workplace", _("Workplace")
    OTHER = "other", _("Other")


class AbuseForm(models.TextChoices):
    """Law on Children Art. 4, with the five sexual-abuse sub-types of Decree 56/2017."""

    VIOLENCE = "violence", _("Violence")
    EXPLOITATION = "exploitation", _("Exploitation (including unlawful labour)")
    SEXUAL_RAPE = "sexual_rape", _("Sexual abuse: rape")
    SEXUAL_COERCION = "sexual_coercion", _("Sexual abuse: coerced sexual intercourse")
    SEXUAL_INTERCOURSE = "sexual_intercourse", _("Sexual abuse: sexual intercourse with a child")
    SEXUAL_MOLESTATION = "sexual_molestation", _("Sexual abuse: molestation")
    SEXUAL_EXPLOITATION = "sexual_exploitation", _("Sexual abuse: used for prostitution or pornography")
    TRAFFICKING = "trafficking", _("Trafficking")
    ABANDONMENT = "abandonment", _("Abandonment")
    NEGLECT = "neglect", _("Neglect")
    OTHER = "other", _("Other harm")


SEXUAL_ABUSE_FORMS = (
    AbuseForm.SEXUAL_RAPE,
    AbuseForm.SEXUAL_COERCION,
    AbuseForm.SEXUAL_INTERCOURSE,
    AbuseForm.SEXUAL_MOLESTATION,
    AbuseForm.SEXUAL_EXPLOITATION,
)


class AgeGroup(models.TextChoices):
    CHILD = "child", _("Under 16")
    YOUTH = "youth", _("16 to 17")
    ADULT = "adult", _("18 to 59")
    ELDER = "elder", _("60 or older")
    UNKNOWN = "unknown", _("Unknown")


class RiskLevel(models.TextChoices):
    HIGH = "high", _("High (Cao)")
    MEDIUM = "medium", _("Medium (Trung bình)")
    LOW = "low", _("Low (Thấp)")


class CaseState(models.TextChoices):
    RECEIVED = "received", _("Received")
    ASSESSED = "assessed", _("Initial assessment done")
    EMERGENCY_HANDLED = "emergency_handled", _("Emergency measures taken")
    INVESTIGATED = "investigated", _("Information collected and assessed")
    PLAN_SUBMITTED = "plan_submitted", _("Plan submitted for approval")
    PLAN_RETURNED = "plan_returned", _("Plan returned for revision")
    IN_INTERVENTION = "in_intervention", _("Under intervention")
    REVIEWED = "reviewed", _("Reviewed")
    CLOSURE_PROPOSED = "closure_proposed", _("Closure proposed")
    CLOSED = "closed", _("Closed")
    TRANSFER_PENDING = "transfer_pending", _("Transfer to another commune pending")
    NOT_CHILD_PROTECTION = "not_child_protection", _("Not a child-protection matter")


ENDED_STATES = (CaseState.CLOSED, CaseState.NOT_CHILD_PROTECTION)
OPEN_STATES = tuple(s for s in CaseState.values if s not in ENDED_STATES)


class PlanStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted to the chairman")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned for revision")
    SUPERSEDED = "superseded", _("Replaced by a new plan")


class ServiceType(models.TextChoices):
    MEDICAL = "medical", _("Medical examination and treatment")
    PSYCHOLOGICAL = "psychological", _("Psychological support")
    POLICE = "police", _("Police investigation and protection")
    LEGAL_AID = "legal_aid", _("Legal aid")
    EDUCATION = "education", _("Education support or school transfer")
    SHELTER = "shelter", _("Temporary shelter or alternative care")
    SOCIAL_ASSISTANCE = "social_assistance", _("Social assistance or financial support")
    CIVIL_STATUS = "civil_status", _("Birth registration or civil status")
    FAMILY_COUNSELLING = "family_counselling", _("Family counselling")
    OTHER = "other", _("Other")


class ReviewRecommendation(models.TextChoices):
    CONTINUE = "continue", _("Continue the current plan")
    REPLAN = "replan", _("Draw up a new plan")
    CLOSE = "close", _("End the plan and close the case file")


class ClosureReason(models.TextChoices):
    SAFE_AND_STABLE = "safe_and_stable", _("The child is safe and stable")
    MOVED_AWAY = "moved_away", _("The child moved away (transferred)")
    TURNED_16 = "turned_16", _("The child turned 16")
    DECEASED = "deceased", _("The child died")
    OTHER = "other", _("Other reason")


class DeadlineKind(models.TextChoices):
    EMERGENCY_DECISION = "emergency_decision", _("Decision on emergency measures")
    PLAN_SUBMISSION = "plan_submission", _("Intervention plan submitted")
    PLAN_APPROVAL = "plan_approval", _("Intervention plan approved")
    REVIEW = "review", _("Review of the plan")
    # Not a legal time limit: the province's rule that a child in an open case file is seen every N days.
    NO_CONTACT = "no_contact", _("Contact with the child (days without contact)")


# Not a legal time limit (no province rule sets it): the safety plan's own review date.
SAFETY_PLAN_REVIEW_DEADLINE = "safety_plan_review"


class DeadlineUnit(models.TextChoices):
    HOURS = "hours", _("hours")
    CALENDAR_DAYS = "calendar_days", _("calendar days")
    WORKING_DAYS = "working_days", _("working days")


class CaseEventKind(models.TextChoices):
    """What can happen on a case file's timeline; each kind is written by one function of cases.events.

    The codes of the workflow's actions are the actions' names (cases.workflow).
    """

    RECEIVED = "received", _("Report received, case file opened")
    ASSESSED = "assess", _("Initial risk assessment recorded (Form 02)")
    EMERGENCY_RECORDED = "record_emergency", _("Emergency measures recorded")
    INVESTIGATED = "investigate", _("Information collected, needs meeting held (Form 03)")
    PLAN_SUBMITTED = "submit_plan", _("Intervention plan submitted to the chairman (Form 04)")
    PLAN_APPROVED = "approve_plan", _("Intervention plan approved (Form 05)")
    PLAN_RETURNED = "return_plan", _("Intervention plan returned for revision")
    REVIEWED = "review", _("Plan reviewed (Form 06)")
    CLOSURE_APPROVED = "approve_closure", _("Ending the plan approved, case file closed")
    CLOSURE_REFUSED = "reject_closure", _("Ending the plan refused")
    TRANSFER_REQUESTED = "transfer", _("Transfer to another commune requested")
    TRANSFER_ACCEPTED = "accept_transfer", _("Transfer accepted by the receiving commune")
    TRANSFER_DECLINED = "decline_transfer", _("Transfer declined by the receiving commune")
    NOT_CHILD_PROTECTION = "mark_not_child_protection", _("Found not to be a child-protection matter")
    REOPENED = "reopen", _("Case file reopened")
    NOTE_ADDED = "note", _("Note added")
    FILE_ATTACHED = "attachment", _("File attached")
    RESTRICTED = "restrict", _("Restricted to named users")
    UNRESTRICTED = "unrestrict", _("Restriction lifted")
    ASSIGNMENT_PROPOSED = "assignment_proposed", _("Measure assigned to an agency")
    ASSIGNMENT_ACCEPTED = "assignment_accepted", _("Assignment accepted by the agency")
    ASSIGNMENT_DECLINED = "assignment_declined", _("Assignment declined by the agency")
    ASSIGNMENT_PROGRESS = "assignment_progress", _("Progress reported by the agency")
    ASSIGNMENT_CLOSED = "assignment_closed", _("Assignment closed by the agency")
    ASSIGNMENT_CANCELLED = "assignment_cancelled", _("Assignment cancelled")
    PLAN_IMPLEMENTED = "plan_implemented", _("Every measure of the plan carried out")
    LAWFUL_BASIS_SET = "lawful_basis", _("Lawful basis for processing recorded")
    CONSENT_RECORDED = "consent", _("Consent recorded")
    CONSENT_WITHDRAWN = "consent_withdrawn", _("Consent withdrawn")
    DISCLOSED = "disclosed", _("Disclosure of information recorded")
    DATA_REQUEST_RECEIVED = "data_request", _("Data-subject request registered")
    DATA_REQUEST_ANSWERED = "data_request_answered", _("Data-subject request answered")
    RESPONSIBILITY_TAKEN = "responsibility_taken", _("Responsibility for the case file taken")
    RESPONSIBILITY_REASSIGNED = "responsibility_reassigned", _("Responsible officer changed")
    HOUSEHOLD_LINKED = "household_linked", _("Linked to a family group")
    HOUSEHOLD_LEFT = "household_left", _("Removed from the family group")
    CHILD_MERGED = "child_merged", _("Duplicate records of the child merged")
    CHILD_MERGE_UNDONE = "child_merge_undone", _("Merge of the child's duplicate records undone")
    SAFETY_PLAN_RECORDED = "safety_plan", _("Safety plan recorded")
    SAFETY_PLAN_REVIEWED = "safety_plan_reviewed", _("Safety plan reviewed (new version)")
    VISIT_SCHEDULED = "visit_scheduled", _("Visit scheduled")
    VISIT_RECORDED = "visit_recorded", _("Visit recorded")
    VISIT_CANCELLED = "visit_cancelled", _("Scheduled visit cancelled")
    FLAG_RAISED = "flag_raised", _("Flagged for attention")
    FLAG_LIFTED = "flag_lifted", _("Flag lifted")
    IMPORTED = "imported", _("Brought in from the commune's register")


class VisitKind(models.TextChoices):
    HOME = "home", _("Home visit")
    SCHOOL = "school", _("School visit")
    OTHER = "other", _("Other (commune office, health station, by phone…)")


class VisitStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class ContactKind(models.TextChoices):
    """What counts as a contact with the child for the no-contact rule (cases.contacts)."""

    OPENED = "opened", _("Case file opened (no contact yet)")
    VISIT = "visit", _("Visit")
    ASSESSMENT = "assessment", _("Initial risk assessment (Form 02)")
    NEEDS_MEETING = "needs_meeting", _("Information collected, needs meeting (Form 03)")
    REVIEW = "review", _("Plan reviewed (Form 06)")


class AssignmentStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed to the agency")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    NOT_DONE = "not_done", _("Not done")
    CANCELLED = "cancelled", _("Cancelled")
