from django.http import HttpResponse

from config import files

from .models import Attachment


def attachment_response(attachment: Attachment) -> HttpResponse:
    """The attachment, decrypted, as a download; the caller fetched it through the access door and audited it."""
    response = HttpResponse(files.read(attachment.file), content_type=attachment.content_type)
    response["Content-Disposition"] = _disposition(attachment.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _disposition(name: str) -> str:
    from django.utils.http import content_disposition_header

    return content_disposition_header(as_attachment=True, filename=name)


def photo_response(community_report) -> HttpResponse:
    """A community report's photo, decrypted; the caller fetched it through the access door and audited it."""
    response = HttpResponse(files.read(community_report.photo), content_type=community_report.photo_type)
    response["Content-Disposition"] = _disposition(f"anh-bao-tin-{community_report.pk}.jpg")
    response["X-Content-Type-Options"] = "nosniff"
    return response
