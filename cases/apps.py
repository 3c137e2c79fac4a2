from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Case files")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_out

        from .services.offline import revoke_on_logout

        # Logging out revokes the key of that login's offline store (the phone wipes it too).
        user_logged_out.connect(revoke_on_logout, dispatch_uid="baove-offline-key-revoke")

        from django.db.models.signals import post_delete, post_save

        from agencies.access import access_changed
        from notifications.registry import register_escalation_handler

        from .access import case_access_data_changed, transfer_saved
        from .escalation import (
            AssignmentEscalationHandler,
            CaseEscalationHandler,
            DataRequestEscalationHandler,
            NoContactEscalationHandler,
        )
        from .models import CaseFile, CaseFileUserObjectPermission, CaseFlag

        # The door keeps what it read about a user for the request; a change to a case file reads it afresh.
        for model in (CaseFile, CaseFileUserObjectPermission):
            post_save.connect(
                case_access_data_changed, sender=model, dispatch_uid=f"baove-case-access-{model.__name__}"
            )
            post_delete.connect(
                case_access_data_changed, sender=model, dispatch_uid=f"baove-case-access-{model.__name__}"
            )

        for signal, verb in ((post_save, "save"), (post_delete, "delete")):
            signal.connect(transfer_saved, sender=CaseFile, dispatch_uid=f"baove-transfer-waits-{verb}")
            # The flags of a user's area are kept with their memberships (cases.selectors.case_list_page).
            signal.connect(access_changed, sender=CaseFlag, dispatch_uid=f"baove-flags-kept-{verb}")
            signal.connect(case_access_data_changed, sender=CaseFlag, dispatch_uid=f"baove-flags-seen-{verb}")

        register_escalation_handler("cases.casefile", CaseEscalationHandler())
        register_escalation_handler("cases.assignment", AssignmentEscalationHandler())
        register_escalation_handler("cases.datasubjectrequest", DataRequestEscalationHandler())
        register_escalation_handler("cases.contactrule", NoContactEscalationHandler())

        from notifications.recipients import register_subject_guard

        from .withheld import (
            withheld_for_assignments,
            withheld_for_cases,
            withheld_for_contact_rules,
            withheld_for_data_requests,
        )

        # Alleged perpetrators are never told about the case; no SMS or Zalo message names the child.
        register_subject_guard("cases.casefile", withheld_for_cases)
        register_subject_guard("cases.assignment", withheld_for_assignments)
        register_subject_guard("cases.datasubjectrequest", withheld_for_data_requests)
        register_subject_guard("cases.contactrule", withheld_for_contact_rules)

        from agencies.models import StaffMembership
        from notifications import config_cache

        from .models import DeadlineRule

        config_cache.connect(DeadlineRule, StaffMembership)

        from outgoing.subjects import Subject, register_subject

        from .access import case_for_user, cases_visible_to

        # A form names the child: its file opens only for who may print the case file.
        register_subject(
            "case_form",
            Subject(
                url=lambda document: f"/cases/{document.subject_id}/",
                check=lambda user, document: case_for_user(user, document.subject_id, purpose="print"),
                visible_ids=lambda user: cases_visible_to(user).values("pk"),
            ),
        )

        from django.db.models.signals import post_delete, post_save

        from agencies.access import access_changed

        from .models import CaseFileUserObjectPermission

        # The restricted case files naming a user are kept with their memberships (cases.access): a name
        # added or removed renews the generation, as a membership changed does (the services also do).
        for signal, verb in ((post_save, "save"), (post_delete, "delete")):
            signal.connect(
                access_changed, sender=CaseFileUserObjectPermission, dispatch_uid=f"access-changed-{verb}-named-user"
            )
