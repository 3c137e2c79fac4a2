"""Keeps personal data out of the logs: the code never logs a child's name, and this filter blanks what
could still slip through a message or its arguments: personal ID numbers, phone numbers, email addresses."""

import logging
import re

PATTERNS = (
    (re.compile(r"(?<!\d)\d{12}(?!\d)"), "[personal-id]"),  # số định danh cá nhân
    (re.compile(r"(?<![\w+])(?:\+?84|0)(?:[\s.-]?\d){9,10}(?!\d)"), "[phone]"),
    (re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"), "[email]"),
)


def scrub(text: str) -> str:
    for pattern, replacement in PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class ScrubPersonalData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = scrub(record.getMessage())
        record.args = ()
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        return True
