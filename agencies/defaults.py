"""Default agency types (../shared/DOMAIN.md); administrators may rename or add more."""

DEFAULT_AGENCY_TYPES = (
    # code, Vietnamese name, English name
    ("social_affairs", "Văn hóa – Xã hội / Lao động – Thương binh và Xã hội", "Social affairs"),
    ("police", "Công an", "Police"),
    ("health", "Y tế / Trạm Y tế", "Health"),
    ("education", "Giáo dục và Đào tạo / Trường học", "Education and schools"),
    ("justice", "Tư pháp / Trợ giúp pháp lý", "Justice and legal aid"),
    ("culture_information", "Văn hóa và Thông tin", "Culture and information"),
    ("home_affairs", "Nội vụ", "Home affairs"),
    ("finance", "Tài chính", "Finance"),
    ("peoples_committee", "Ủy ban nhân dân", "People's Committee"),
    ("fatherland_front", "Mặt trận Tổ quốc", "Fatherland Front"),
    ("youth_union", "Đoàn Thanh niên", "Youth Union"),
    ("womens_union", "Hội Liên hiệp Phụ nữ", "Women's Union"),
    ("hotline_111", "Tổng đài điện thoại quốc gia bảo vệ trẻ em 111", "National child-protection hotline 111"),
    ("social_service_provider", "Cơ sở cung cấp dịch vụ bảo vệ trẻ em", "Social service provider"),
)
