from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from .models import Preference
from .selectors import notifications_for, preference_for
from .services import notification_mark_read, preference_save


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = Preference
        fields = ["email_mode"]
        widgets = {"email_mode": forms.RadioSelect}


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


@login_required
def preferences(request):
    form = PreferenceForm(request.POST or None, instance=preference_for(request.user))
    if request.method == "POST" and form.is_valid():
        preference_save(user=request.user, email_mode=form.cleaned_data["email_mode"])
        messages.success(request, _("Your preferences are saved."))
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})
