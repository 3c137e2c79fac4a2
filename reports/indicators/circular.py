"""The indicators' codes and names in Thông tư 13/2021/TT-BLĐTBXH (Bộ chỉ tiêu thống kê về tình hình trẻ em và
tình hình xâm hại trẻ em, xử lý vi phạm hành chính đối với các hành vi xâm hại trẻ em), as data.

No official copy of the circular's appendices was at hand when this was written. What is below is a
transcription from a secondary copy (an excerpt of Appendix IV: "0101. Số trẻ em bị xâm hại") and from the
ministry's announcement of the circular (the names of two indicators of Appendix I, group "Bảo vệ trẻ em");
every other code is left empty, never guessed. An administrator corrects or completes them under
"Indicator codes (Circular 13/2021)" (reports.IndicatorReference) once the official text is read; a
submitted report keeps the codes it was frozen with.
"""

from dataclasses import dataclass

CIRCULAR = (
    "Thông tư số 13/2021/TT-BLĐTBXH ngày 30 tháng 9 năm 2021 của Bộ trưởng Bộ Lao động - Thương binh và Xã hội "
    "ban hành Bộ chỉ tiêu thống kê về tình hình trẻ em và tình hình xâm hại trẻ em, xử lý vi phạm hành chính "
    "đối với các hành vi xâm hại trẻ em"
)

# Where a code or name was read: shown in the README and the administration, never in a document.
SECONDARY_COPY = "Phụ lục IV, trích từ bản sao thứ cấp; cần đối chiếu bản chính"
ANNOUNCEMENT = "Phụ lục I, nhóm Bảo vệ trẻ em, tên theo thông báo ban hành; mã chưa đối chiếu"
NOT_IN_CIRCULAR = "Chỉ tiêu bổ sung của BaoVe, không có trong Thông tư"


@dataclass(frozen=True)
class Reference:
    code: str = ""
    name: str = ""  # the indicator's name in the circular, where known
    source: str = ""


BUILT_IN = {
    "abused_children": Reference("0101", "Số trẻ em bị xâm hại", SECONDARY_COPY),
    "special_circumstances": Reference("", "Số lượng, tỷ lệ trẻ em có hoàn cảnh đặc biệt", ANNOUNCEMENT),
    "reported_unverified": Reference(source=NOT_IN_CIRCULAR),
    "not_child_protection": Reference(source=NOT_IN_CIRCULAR),
    "timeliness": Reference(source=NOT_IN_CIRCULAR),
    "assignments": Reference(source=NOT_IN_CIRCULAR),
    "case_files": Reference(source=NOT_IN_CIRCULAR),
    "plan_tasks": Reference(source=NOT_IN_CIRCULAR),
}


def configured() -> dict[str, Reference]:
    """The administration's corrections, read once (one query) for a whole report."""
    from ..models import IndicatorReference

    return {
        row.indicator: Reference(row.code, row.circular_name, row.source) for row in IndicatorReference.objects.all()
    }


def reference(indicator_id: str, corrections: dict[str, Reference] | None = None) -> Reference:
    """The code and circular name of an indicator: the administration's, else the built-in transcription."""
    corrections = configured() if corrections is None else corrections
    return corrections.get(indicator_id) or BUILT_IN.get(indicator_id, Reference())
