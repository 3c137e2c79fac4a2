"""A crawler of the pages a signed-in user can reach, and a detector of what leaks untranslated into them.

What counts as a leak on a Vietnamese page:
- an English message of the catalogue shown as it is (its msgid, where the translation differs);
- a word found only in the English messages (never in a Vietnamese one, nor in the names of people,
  places and agencies the page may show), e.g. "Form", "health/police";
- a code: a snake_case token ("in_progress"), "None", a period code ("2026-H2"), an ISO date;
- a number in English format: a decimal point before a percent sign ("16.7%"), a sign without its space.
"""

import re
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import polib

CATALOGUE = Path(__file__).resolve().parents[2] / "locale" / "vi" / "LC_MESSAGES" / "django.po"

# Followed: pages. Not followed: files, the API, Django's admin (Django's own words), the way out.
SKIPPED = re.compile(
    r"^/(admin|api|static|media|i18n|jsi18n|accounts/logout|healthz)"
    r"|\.(pdf|xlsx|csv|json)$|/export\.|/file\.|/attachments/\d+/$"
)
# Attributes whose words a person sees or hears (the data-*-text ones are words shown by scripts).
SHOWN_ATTRIBUTES = re.compile(r"^(title|aria-label|placeholder|alt|data-[a-z-]*-text|data-heading|data-title-prefix)$")
SNAKE_CASE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
CODES = [
    (re.compile(r"\bNone\b"), "None"),
    (SNAKE_CASE, "snake_case code"),
    (re.compile(r"\b\d{4}-(?:H[12]|Q[1-4])\b"), "period code"),
    (re.compile(r"\b\d{4}-\d{2}-\d{2}\b"), "ISO date"),
    (re.compile(r"\d\.\d+\s?%"), "English decimal point"),
    (re.compile(r"\d%"), "percent sign without its space"),
    (re.compile(r"\b\d{1,2}:\d{2}\s?[AP]M\b"), "12-hour time"),
]
WORD = re.compile(r"[A-Za-zÀ-ỹĐđ]+")
PLACEHOLDER = re.compile(r"%\(\w+\)[sdr]|\{\w*\}|%[sd]")
# Words that are the same in both languages, or names.
# "non": a Vietnamese syllable too (mầm non, preschool).
ALLOWED = {
    "non",
    "baove",
    "pdf",
    "xlsx",
    "csv",
    "json",
    "api",
    "sha",
    "zalo",
    "email",
    "webhook",
    "english",
    "hiv",
    "aids",
}


CODE_TAGS = ("code", "kbd", "samp")


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.links: list[str] = []
        self._skip = 0
        # An element whose text is not Vietnamese words: marked lang="en" (the language switch), or a code
        # (<code>: a key to type, which may spell an English word by chance).
        self._quiet: tuple[str, int] | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in ("script", "style"):
            self._skip += 1
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        if self._quiet and self._quiet[0] == tag:
            self._quiet = (tag, self._quiet[1] + 1)
        elif self._quiet is None and (tag in CODE_TAGS or (attributes.get("lang") or "").startswith("en")):
            self._quiet = (tag, 1)
        if self._quiet:
            return
        for name, value in attrs:
            if value and SHOWN_ATTRIBUTES.match(name):
                self.texts.append(value)
        if tag == "input" and attributes.get("type") in ("submit", "button") and attributes.get("value"):
            self.texts.append(attributes["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1
        if self._quiet and self._quiet[0] == tag:
            self._quiet = (tag, self._quiet[1] - 1) if self._quiet[1] > 1 else None

    def handle_data(self, data):
        text = " ".join(data.split())
        if text and not self._skip and not self._quiet:
            self.texts.append(text)


def texts_and_links(html: str) -> tuple[list[str], list[str]]:
    parser = _Text()
    parser.feed(html)
    return parser.texts, parser.links


@dataclass
class Detector:
    """Built once from the catalogue, and the names (people, places, agencies) the pages may show."""

    names: set[str] = field(default_factory=set)

    def __post_init__(self):
        catalogue = polib.pofile(str(CATALOGUE))
        vietnamese, english = set(), set()
        self.messages: set[str] = set()
        for entry in catalogue.translated_entries():
            translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
            for translation in translations:
                vietnamese.update(word.lower() for word in WORD.findall(translation))
            for msgid in filter(None, (entry.msgid, entry.msgid_plural)):
                english.update(word.lower() for word in WORD.findall(PLACEHOLDER.sub(" ", msgid)))
                if msgid not in translations and not PLACEHOLDER.search(msgid) and len(msgid) > 3:
                    self.messages.add(" ".join(msgid.split()))
        for name in self.names:
            vietnamese.update(word.lower() for word in WORD.findall(name))
        self.english_only = {word for word in english - vietnamese - ALLOWED if len(word) >= 3}

    def leaks(self, text: str) -> list[str]:
        found = []
        if text in self.messages:
            found.append(f"English message {text!r}")
        for pattern, what in CODES:
            found.extend(f"{what} {match!r} in {text[:80]!r}" for match in pattern.findall(text))
        words = [word for word in WORD.findall(text) if word.lower() in self.english_only]
        if words and not any(f"English message {text!r}" == item for item in found):
            found.append(f"English {' '.join(words)!r} in {text[:80]!r}")
        return found


@dataclass
class Visit:
    url: str
    status: int
    leaks: list[str]


def pattern_of(url: str) -> str:
    """/cases/12/act/assess/ → /cases/N/act/assess/; /reports/?unit=80&period=2026-H1 → /reports/?period&unit."""
    parts = urlsplit(url)
    keys = "&".join(sorted({pair.split("=")[0] for pair in parts.query.split("&") if pair}))
    return re.sub(r"/\d+(?=/|$)", "/N", parts.path) + (f"?{keys}" if keys else "")


def crawl(client, detector: Detector, *, starts=("/",), per_pattern=3, seen_cases: set | None = None) -> list[Visit]:
    """Every page reachable from STARTS by links, at most PER_PATTERN of each URL shape (/cases/N/…, the query's
    keys included) but every case file page not yet in SEEN_CASES."""
    queue, visited, shapes, visits = deque(starts), set(), {}, []
    seen_cases = set() if seen_cases is None else seen_cases
    while queue:
        url = queue.popleft()
        if url in visited:
            continue
        visited.add(url)
        shape = pattern_of(url)
        is_case_page = shape == "/cases/N/"
        if shapes.get(shape, 0) >= per_pattern and not (is_case_page and url not in seen_cases):
            continue
        shapes[shape] = shapes.get(shape, 0) + 1
        if is_case_page:
            seen_cases.add(url)
        response = client.get(url)
        if response.status_code == 503:  # a part (Redis) slow under load says "try again": once
            response = client.get(url)
        if response.status_code in (301, 302):
            location = urlsplit(response["Location"])
            if not location.netloc:
                queue.append(location.path + (f"?{location.query}" if location.query else ""))
            continue
        if "text/html" not in response.get("Content-Type", ""):
            continue
        texts, links = texts_and_links(response.content.decode())
        leaks = [leak for text in texts for leak in detector.leaks(text)]
        visits.append(Visit(url, response.status_code, leaks))
        for href in links:
            target = urlsplit(urljoin(url, href))
            if target.netloc or target.scheme not in ("", "http", "https") or not target.path.startswith("/"):
                continue
            if SKIPPED.search(target.path):
                continue
            queue.append(target.path + (f"?{target.query}" if target.query else ""))
    return visits
