"""A child's age, the one rule: whole years on a given day (a birthday counts on the day itself)."""

import datetime

# A child is a person under 16 (Law on Children 2016, Art. 1).
CHILD_AGE_LIMIT = 16
# The statistical age groups of the reports: 0–<6, 6–<11, 11–<16, in their natural order.
AGE_GROUPS = ((0, 6, "0-5"), (6, 11, "6-10"), (11, 16, "11-15"))
OVER_AGE_GROUP = "16+"


def age_on(birth: datetime.date, day: datetime.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def age_group(birth: datetime.date, day: datetime.date) -> str:
    age = age_on(birth, day)
    for low, high, label in AGE_GROUPS:
        if low <= age < high:
            return label
    return OVER_AGE_GROUP
