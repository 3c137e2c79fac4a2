"""The national default escalation ladders (administrators edit them, or add a province's own)."""

# kind: (name, [(timing, amount, recipient, is_urgent), …]) — in time order.
# Ladders whose reminders go out at any hour (every other ladder's non-urgent steps wait for working hours).
NEVER_HELD = {"emergency_decision"}
DEFAULT_LADDERS = {
    "emergency_decision": (
        "Quyết định can thiệp khẩn cấp (12 giờ)",
        [
            ("share", 50, "responsible", False),
            ("share", 75, "responsible", True),
            ("share", 100, "supervisor", True),
            ("hours_after", 12, "province_coordinator", True),
        ],
    ),
    "plan_submission": (
        "Trình kế hoạch hỗ trợ, can thiệp (5 ngày làm việc)",
        [
            ("share", 50, "responsible", False),
            ("share", 80, "responsible", False),
            ("share", 100, "supervisor", True),
            ("working_days_after", 2, "intermediate_coordinator", True),
        ],
    ),
    "plan_approval": (
        "Phê duyệt kế hoạch hỗ trợ, can thiệp (7 ngày làm việc)",
        [
            ("share", 75, "supervisor", False),
            ("share", 100, "supervisor", True),
            ("working_days_after", 2, "province_coordinator", True),
        ],
    ),
    "review": (
        "Rà soát, đánh giá kế hoạch",
        [
            ("share", 90, "responsible", False),
            ("share", 100, "supervisor", False),
            ("working_days_after", 5, "intermediate_coordinator", True),
        ],
    ),
    "safety_plan_review": (
        "Rà soát kế hoạch an toàn cho trẻ em",
        [
            ("share", 90, "responsible", False),
            ("share", 100, "responsible", True),
            ("working_days_after", 2, "supervisor", True),
        ],
    ),
    "assignment_acceptance": (
        "Cơ quan tiếp nhận việc được giao (2 ngày làm việc)",
        [
            ("share", 100, "supervisor", True),
            ("working_days_after", 1, "intermediate_coordinator", True),
        ],
    ),
    "report_submission": (
        "Nộp báo cáo định kỳ (15 ngày sau kỳ báo cáo)",
        [
            ("share", 70, "responsible", False),
            ("share", 100, "supervisor", True),
            ("working_days_after", 3, "intermediate_coordinator", True),
        ],
    ),
    "plan_task": (
        "Nhiệm vụ theo kế hoạch liên ngành",
        [
            ("share", 100, "responsible", False),
            ("working_days_after", 5, "leader", True),
        ],
    ),
    "data_subject_request": (
        "Trả lời yêu cầu của chủ thể dữ liệu (2 ngày làm việc)",
        [
            ("share", 50, "responsible", False),
            ("share", 100, "supervisor", True),
            ("working_days_after", 1, "province_coordinator", True),
        ],
    ),
    "no_contact": (
        "Không tiếp xúc với trẻ quá số ngày quy định (thăm hộ gia đình, trường học)",
        [
            ("share", 100, "responsible", False),
            ("working_days_after", 5, "supervisor", False),
        ],
    ),
}
