from django.http import FileResponse, Http404

from .models import CaseFile


def attachment_response(case: CaseFile, attachment_pk) -> FileResponse:
    """The attachment as a download of a case the caller already fetched through the access door."""
    attachment = case.attachments.filter(pk=attachment_pk).first()
    if attachment is None:
        raise Http404
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
