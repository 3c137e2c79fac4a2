"""What the pages of the cases app share: running a service from a form and placing its refusals."""

import re

from django.contrib import messages
from django.core.exceptions import ValidationError

from config.errors import Conflict


def submit(request, form, call, success: str) -> bool:
    """Run CALL(cleaned_data) for a valid form; a refusal goes on the form (input kept), success is said."""
    try:
        call(form.cleaned_data)
    except Conflict as conflict:
        form.add_error(None, str(conflict))
        return False
    except ValidationError as error:
        apply_errors(error, form)
        return False
    messages.success(request, success)
    return True


def apply_errors(error: ValidationError, *forms_with_prefix) -> None:
    """Put a service's errors on the form fields they name ("children-0-birth_date"), else on the form."""
    for key, messages_ in error.message_dict.items() if hasattr(error, "error_dict") else [(None, error.messages)]:
        placed = False
        for form in forms_with_prefix:
            field = key
            if key and form.prefix and key.startswith(f"{form.prefix}-"):
                field = key[len(form.prefix) + 1 :]
            elif form.prefix:
                continue
            if field in form.fields:
                for message in messages_:
                    form.add_error(field, message)
                placed = True
                break
        if not placed:
            for message in messages_:
                forms_with_prefix[0].add_error(None, message)


def numbered_as_forms(error: ValidationError, prefix: str, forms_in_order: list) -> ValidationError:
    """A service numbers repeated items ("children-1-birth_date") by their place in the list it was given;
    the page by their form's prefix, which differs once an empty item added on the page was left out."""
    if not hasattr(error, "error_dict"):
        return error
    renamed = {}
    for key, messages_ in error.message_dict.items():
        match = re.fullmatch(rf"{re.escape(prefix)}-(\d+)-(.+)", key)
        if match and int(match[1]) < len(forms_in_order):
            key = f"{forms_in_order[int(match[1])].prefix}-{match[2]}"
        renamed[key] = messages_
    return ValidationError(renamed)
