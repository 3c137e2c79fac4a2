import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.http.request import RawPostDataException
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from .accounts import account_by_key
from .forms import CodeForm, PhoneForm, PreferenceForm
from .phones import masked
from .receipts import is_authentic, receipts_record
from .selectors import notifications_for, preference_for
from .services import notification_mark_read, preference_save
from .transports import transport_for
from .verification import pending_verification, phone_code_confirm, phone_code_send, phone_remove


@login_required
@require_GET
def notification_list(request):
    only_escalations = request.GET.get("escalated") == "1"
    page = Paginator(notifications_for(request.user, escalations_only=only_escalations), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "notifications/list.html", {"page_obj": page, "only_escalations": only_escalations})


@login_required
@require_POST
def mark_read(request):
    ids = [int(value) for value in request.POST.getlist("id") if value.isdigit()] or None
    notification_mark_read(user=request.user, ids=ids)
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("notifications:list")


def _preferences_page(request, *, form=None, phone_form=None, code_form=None, status=200):
    preference = preference_for(request.user)
    context = {
        "form": form or PreferenceForm(instance=preference, phone_verified=preference.phone_verified),
        "phone_form": phone_form or PhoneForm(),
        "code_form": code_form or CodeForm(),
        "preference": preference,
        "phone_shown": masked(preference.phone) if preference.phone_verified else "",
        "pending": pending_verification(request.user),
    }
    if context["pending"]:
        context["pending_shown"] = masked(context["pending"].phone)
    return render(request, "notifications/preferences.html", context, status=status)


def _apply_errors(form, error: ValidationError) -> None:
    for field, problems in error.message_dict.items():
        form.add_error(field if field in form.fields else None, problems)


@login_required
def preferences(request):
    if request.method != "POST":
        return _preferences_page(request)
    preference = preference_for(request.user)
    form = PreferenceForm(request.POST, instance=preference, phone_verified=preference.phone_verified)
    if form.is_valid():
        data = form.cleaned_data
        try:
            preference_save(
                user=request.user,
                email_mode=data["email_mode"],
                sms_enabled=data["sms_enabled"],
                zalo_enabled=data["zalo_enabled"],
                quiet_from=data["quiet_from"],
                quiet_until=data["quiet_until"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Your preferences are saved."))
            return redirect("notifications:preferences")
    return _preferences_page(request, form=form, status=400)


@login_required
@require_POST
def phone_add(request):
    phone_form = PhoneForm(request.POST)
    if phone_form.is_valid():
        try:
            phone_code_send(user=request.user, phone=phone_form.cleaned_data["phone"])
        except ValidationError as error:
            _apply_errors(phone_form, error)
        else:
            messages.success(request, _("A code was sent by SMS. Type it below."))
            return redirect("notifications:preferences")
    return _preferences_page(request, phone_form=phone_form, status=400)


@login_required
@require_POST
def phone_confirm(request):
    code_form = CodeForm(request.POST)
    if code_form.is_valid():
        try:
            phone_code_confirm(user=request.user, code=code_form.cleaned_data["code"])
        except ValidationError as error:
            _apply_errors(code_form, error)
        else:
            messages.success(request, _("Your mobile number is verified. Choose SMS or Zalo above."))
            return redirect("notifications:preferences")
    return _preferences_page(request, code_form=code_form, status=400)


@login_required
@require_POST
def phone_delete(request):
    phone_remove(user=request.user)
    messages.success(request, _("Your mobile number is removed: no more SMS or Zalo messages."))
    return redirect("notifications:preferences")


@csrf_exempt
@require_POST
def delivery_report(request, channel: str, account_key: str):
    """A gateway's delivery report (SMS or Zalo), authenticated with the account's secret."""
    transport = transport_for(channel)
    account = account_by_key(channel, account_key) if hasattr(transport, "reports") else None
    if account is None:
        raise Http404
    try:
        body = request.body
    except RawPostDataException:  # a multipart form, already read by a middleware: reports are JSON
        body = None
    if not is_authentic(
        account,
        body=body or b"",
        signature=request.headers.get("X-BaoVe-Signature", ""),
        timestamp=request.headers.get("X-BaoVe-Timestamp", ""),
        token=request.GET.get("token", ""),
    ):
        return JsonResponse({"error": "not authenticated"}, status=403)
    if body is None:
        return JsonResponse({"error": "send the report as JSON"}, status=400)
    try:
        payload = json.loads(body)
    except ValueError:
        return JsonResponse({"error": "the body is not JSON"}, status=400)
    recorded = receipts_record(channel=channel, account_key=account.key, reports=transport.reports(payload))
    return JsonResponse({"ok": True, "recorded": recorded})
