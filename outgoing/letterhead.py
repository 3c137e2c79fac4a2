"""The parts of the Decree 30 layout an issuing body gives a document (templates/documents/base.html)."""

from .models import IssuingBody


def letterhead(body: IssuingBody, *, signer_name: str | None = None, recipients: list[str] | None = None) -> dict:
    """Issuer lines, symbol, place, signer block and recipients, as the document template reads them."""
    return {
        "issuer": {"superior": body.superior_name, "lines": body.name_lines},
        "issuer_text": body.name_in_text,
        "place": body.place,
        "symbol": body.symbol,
        "signer": {
            "authority": body.authority,
            "title": body.signer_title,
            "name": body.signer_name if signer_name is None else signer_name,
        },
        "recipients": body.recipient_list if recipients is None else recipients,
    }
