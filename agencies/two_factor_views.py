"""Pages of the second factor: set up an authenticator, enter a code, renew recovery codes."""

import base64
from base64 import b32encode

import qrcode
import qrcode.image.svg
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from . import two_factor


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


def _qr_data_uri(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return "data:image/svg+xml;base64," + base64.b64encode(image.to_string()).decode("ascii")


@login_required
@require_http_methods(["GET", "POST"])
def setup(request):
    # Replacing an existing authenticator needs the current one first: a stolen password alone
    # must not be enough to enrol the thief's phone.
    if two_factor.has_device(request.user) and not request.user.is_verified():
        return redirect(two_factor.next_url("two_factor_verify", two_factor.safe_next(request)))
    device = two_factor.pending_device(request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = two_factor.confirm_setup(request, form.cleaned_data["code"])
        if codes is not None:
            return render(
                request,
                "registration/two_factor_codes.html",
                {"codes": codes, "next": two_factor.safe_next(request), "first_time": True},
            )
        form.add_error("code", _("This code is not right. Check the time on your phone and try the newest code."))
    secret = b32encode(device.bin_key).decode("ascii")
    context = {
        "form": form,
        "qr": _qr_data_uri(device.config_url),
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "next": two_factor.safe_next(request),
    }
    return render(request, "registration/two_factor_setup.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def verify(request):
    if not two_factor.has_device(request.user):
        return redirect(two_factor.next_url("two_factor_setup", two_factor.safe_next(request)))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if two_factor.verify(request, form.cleaned_data["code"]):
            return redirect(two_factor.safe_next(request))
        form.add_error(
            "code",
            _(
                "This code is not right, or too many wrong codes were tried: wait a little and try the newest "
                "code, or use one of your recovery codes."
            ),
        )
    return render(request, "registration/two_factor_verify.html", {"form": form, "next": two_factor.safe_next(request)})


@login_required
@require_http_methods(["GET", "POST"])
def security(request):
    """The user's own security page: second factor status and new recovery codes."""
    if request.method == "POST":
        if not request.user.is_verified():
            messages.error(request, _("Enter a code from your authenticator first."))
            return redirect("two_factor_verify")
        codes = two_factor.renew_recovery_codes(request.user)
        return render(request, "registration/two_factor_codes.html", {"codes": codes, "next": "/", "first_time": False})
    context = {
        "has_device": two_factor.has_device(request.user),
        "required": two_factor.required_for(request.user),
        "verified": request.user.is_verified(),
        "codes_left": two_factor.recovery_codes_left(request.user),
    }
    return render(request, "registration/account_security.html", context)
