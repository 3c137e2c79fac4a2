"""Digital signatures on issued PDFs: PAdES (ETSI.CAdES.detached) with pyHanko, visible in the signer block.

The key is in a PKCS#12 file or on a PKCS#11 token (a USB token, an HSM, or the library of a licensed CA's
remote signing service); the PIN or pass phrase comes with each signature and is never stored. Verification
trusts the certification authorities configured in the administration (TrustedCertificate) and fetches
nothing from the network.
"""

import datetime
import functools
import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from config import files
from config.pdf import REGULAR_FONT

from .models import DeviceKind, SigningDevice, TrustedCertificate

FIELD_NAME = "ChuKySo"


class SigningError(Exception):
    """The document could not be signed; the message says why, in words for the signer."""


STAMP_FAMILY = "BaoVe Stamp Serif"


@functools.cache
def stamp_font() -> str:
    """The font of the visible signature: Liberation Serif scaled to 1000 units per em.

    pyHanko writes an embedded TrueType font's glyph widths in font units, which a PDF reader takes as
    thousandths of an em: right only for fonts of 1000 units per em. Liberation Serif has 2048 (its letters
    came out twice as far apart), so the stamp uses a copy scaled to 1000, made once per server and renamed
    (the OFL keeps the name "Liberation" for the unmodified font)."""
    from fontTools.ttLib import TTFont
    from fontTools.ttLib.scaleUpem import scale_upem

    path = Path(tempfile.gettempdir()) / f"baove-stamp-serif-{REGULAR_FONT.stat().st_mtime_ns}.ttf"
    if not path.exists():
        font = TTFont(REGULAR_FONT)
        scale_upem(font, 1000)
        for record in font["name"].names:
            if record.nameID in (1, 4, 16):
                record.string = STAMP_FAMILY
            elif record.nameID in (3, 6):
                record.string = STAMP_FAMILY.replace(" ", "")
        partial = path.with_suffix(f".{os.getpid()}.part")
        font.save(partial)
        os.replace(partial, path)  # whole or absent: another worker may be making the same file
    return str(path)


def _signer(device: SigningDevice, secret: str):
    from pyhanko.sign import signers

    if device.kind == DeviceKind.PKCS12:
        try:
            return signers.SimpleSigner.load_pkcs12_data(
                files.read(device.pkcs12_file), other_certs=[], passphrase=secret.encode() if secret else None
            ), None
        except (ValueError, TypeError) as error:
            raise SigningError(_("The certificate file could not be opened: wrong pass phrase?")) from error
    if device.pkcs11_module not in settings.BAOVE_PKCS11_MODULES:
        raise SigningError(_("This token's library is not among those the operator allowed; ask the administrator."))
    from pkcs11 import PKCS11Error
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign.pkcs11 import PKCS11Signer, open_pkcs11_session

    try:
        session = open_pkcs11_session(
            device.pkcs11_module, token_criteria=TokenCriteria(label=device.token_label), user_pin=secret
        )
    except (PKCS11Error, OSError, RuntimeError) as error:
        raise SigningError(
            _("The token could not be opened (%(error)s): is it connected, and is the PIN right?")
            % {"error": type(error).__name__}
        ) from error
    signer = PKCS11Signer(
        session,
        key_label=device.key_label or None,
        cert_label=device.cert_label or device.key_label or None,
    )
    return signer, session


def sign(pdf: bytes, *, device: SigningDevice, secret: str, box: dict | None, reason: str, location: str) -> bytes:
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.sign import fields, signers
    from pyhanko.stamp import TextStampStyle

    signer, session = _signer(device, secret)
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
        if box:
            fields.append_signature_field(
                writer, fields.SigFieldSpec(FIELD_NAME, on_page=box["page"], box=tuple(box["box"]))
            )
        now = timezone.localtime()
        style = TextStampStyle(
            stamp_text=f"Ký số bởi: %(signer)s\nThời gian ký: {now:%H:%M} ngày {now:%d/%m/%Y}",
            text_box_style=TextBoxStyle(font=GlyphAccumulatorFactory(stamp_font()), font_size=9),
            border_width=1,
        )
        metadata = signers.PdfSignatureMetadata(
            field_name=FIELD_NAME,
            md_algorithm="sha256",
            subfilter=fields.SigSeedSubFilter.PADES,
            reason=reason,
            location=location,
            signer_key_usage={"digital_signature"},
        )
        output = io.BytesIO()
        signers.PdfSigner(metadata, signer=signer, stamp_style=style).sign_pdf(writer, output=output)
        return output.getvalue()
    except SigningError:
        raise
    except Exception as error:  # pyHanko and the token library raise many kinds; the signer needs one message
        raise SigningError(
            _("The document could not be signed (%(error)s).") % {"error": type(error).__name__}
        ) from error
    finally:
        if session is not None:
            session.close()


@dataclass(frozen=True)
class Verification:
    """What a check of a signed PDF found. STATE: "valid" (intact, and the certificate chains to a trusted
    authority), "untrusted" (intact, certificate not trusted here), "invalid" (changed after signing, or a
    bad signature), "unsigned"."""

    state: str
    signer: str = ""
    signed_at: datetime.datetime | None = None
    detail: str = ""

    @property
    def is_valid(self) -> bool:
        return self.state == "valid"


def _trust_roots() -> list:
    from asn1crypto import pem, x509

    roots = []
    for certificate in TrustedCertificate.objects.filter(is_active=True):
        data = certificate.pem.encode()
        for _kind, _headers, der in pem.unarmor(data, multiple=True) if pem.detect(data) else []:
            roots.append(x509.Certificate.load(der))
    return roots


def verify(pdf: bytes) -> Verification:
    """Check every signature of PDF: each must be intact, valid and cover the whole file."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.settings import KeyUsageConstraints
    from pyhanko_certvalidator import ValidationContext

    try:
        signatures = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures
    except Exception as error:  # a damaged file: the reader raises whatever its parser met
        return Verification("invalid", detail=_("The file is damaged (%(error)s).") % {"error": type(error).__name__})
    if not signatures:
        return Verification("unsigned")
    context = ValidationContext(trust_roots=_trust_roots(), allow_fetching=False, revocation_mode="soft-fail")
    usage = KeyUsageConstraints(key_usage={"digital_signature", "non_repudiation"}, match_all_key_usages=False)
    result = None
    for embedded in signatures:
        try:
            status = validate_pdf_signature(embedded, context, key_usage_settings=usage)
        except Exception as error:  # a broken signature dictionary or CMS structure
            return Verification(
                "invalid", detail=_("The signature cannot be read (%(error)s).") % {"error": type(error).__name__}
            )
        signer = status.signing_cert.subject.human_friendly if status.signing_cert else ""
        signed_at = status.signer_reported_dt
        if not status.intact or not status.valid:
            return Verification("invalid", signer, signed_at, _("The document was changed after it was signed."))
        if status.coverage is None or status.coverage.name not in ("ENTIRE_FILE", "ENTIRE_REVISION"):
            return Verification("invalid", signer, signed_at, _("The signature does not cover the whole document."))
        if status.modification_level is not None and status.modification_level.name not in (
            "NONE",
            "LTA_UPDATES",
            "FORM_FILLING",
        ):
            return Verification("invalid", signer, signed_at, _("The document was changed after it was signed."))
        state = "valid" if status.trusted else "untrusted"
        result = Verification(state, signer, signed_at) if result is None or state != "valid" else result
    return result
