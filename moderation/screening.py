"""Fast, synchronous screening of new comments: patterns only, no model, no queue.

Screening never rejects a comment. It attaches reasons that route the comment to a moderator
and, for some reasons, hold it off the public page until someone looks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from flask import current_app, has_app_context

# Numbers written without a +country code are read as this region's (the district's country);
# a deployment elsewhere sets PHONE_REGION, an ISO 3166 code such as "CA" or "MX".
DEFAULT_PHONE_REGION = "US"


@dataclass(frozen=True)
class Finding:
    code: str
    detail: str


def _words(*alternatives: str) -> str:
    return "(?:" + "|".join(alternatives) + ")"


# Intent verbs for first-person statements ("I'm going to hurt ..."), and the narrower set that
# also counts as a threat with a target alone ("kill them"); "hurt people" is a common argument.
_VIOLENT = _words(
    "kill", "shoot", "stab", "bomb", "murder", "hurt", "attack", "blow up", "burn down", "strangle"
)
_LETHAL = _words("kill", "shoot", "stab", "murder", "strangle")
_TARGET = _words(
    "you",
    "y'all",
    "them",
    "him",
    "her",
    "everyone",
    "everybody",
    "all of you",
    "people",
    "somebody",
    r"the (?:board|teachers?|principal|superintendent|students?|kids|cops|officers?)",
)
THREAT_PATTERNS = [
    re.compile(
        r"\b(?:i|we|i'?m|i am|we'?re|we are|i'?ll|we'?ll)\b[^.!?\n]{0,40}?"
        rf"\b(?:going to|gonna|will|want to|wanna|plan to|about to)\s+{_VIOLENT}\b",
        re.IGNORECASE,
    ),
    re.compile(rf"\b{_LETHAL}\s+{_TARGET}\b", re.IGNORECASE),
    re.compile(
        r"\b(?:shoot|shooting|bomb|blow|blowing)\s+up\s+(?:the\s+|this\s+|that\s+|our\s+|a\s+)?(?:school|campus|meeting|board|class)",
        re.IGNORECASE,
    ),
    re.compile(
        r"\b(?:bring|bringing|brought)\b[^.!?\n]{0,25}\b(?:gun|rifle|pistol|knife|weapon|bomb)s?\b[^.!?\n]{0,25}\b(?:school|campus|class|meeting)\b",
        re.IGNORECASE,
    ),
    re.compile(
        r"\b(?:deserves? to die|watch your back|there will be blood|hit list|you(?:'ll| will) regret)\b",
        re.IGNORECASE,
    ),
    re.compile(r"\b(?:voy|vamos) a (?:matar|disparar|golpear)|\bte voy a matar\b", re.IGNORECASE),
]
SELF_HARM_PATTERNS = [
    re.compile(r"\b(?:kill|hurt|cut|harm)(?:ing)?\s+my\s?self\b", re.IGNORECASE),
    re.compile(r"\b(?:want|wanted|going|planning) to die\b", re.IGNORECASE),
    re.compile(
        r"\bend (?:it all|my life)\b|\bsuicid(?:e|al)\b|\bno reason to (?:live|go on)\b",
        re.IGNORECASE,
    ),
    re.compile(r"\bbetter off (?:dead|without me)\b", re.IGNORECASE),
    re.compile(r"\b(?:me )?quiero morir\b|\bsuicid(?:arme|io)\b|\bmatarme\b", re.IGNORECASE),
]
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
STREET_ADDRESS = re.compile(
    r"\b\d{1,6}\s+(?:[NSEW]\.?\s+)?(?:[A-Z][a-z]+\s+){1,3}"
    r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Drive|Dr|Lane|Ln|Way|Court|Ct|Place|Pl|Circle|Cir)\b"
)
FULL_NAME = re.compile(
    r"\b([A-Z][a-z]{1,20})\s+([A-Z][a-z]{1,25})\b(?!\s+(?:High|Middle|Elementary|School|Academy|Park|Street|Unified|County|K-8))"
)
STUDENT_WORDS = re.compile(
    r"\b(?:student|students|son|daughter|kid|child|boy|girl|classmate|grader|freshman|sophomore|junior|senior|"
    r"hijo|hija|estudiante|alumno|alumna)\b",
    re.IGNORECASE,
)
OBSCENITY = re.compile(
    r"\b(?:f+u+c+k+\w*|motherf\w+|c+u+n+t+s?|cocksucker\w*|dickhead|pussy|whore|slut|porn\w*|"
    r"blowjob|jerk off|mierda|puta|pendejo|chinga\w*|verga|culero)\b",
    re.IGNORECASE,
)
URL = re.compile(r"\bhttps?://\S+|\bwww\.\S+", re.IGNORECASE)
SHORTENERS = re.compile(
    r"\b(?:bit\.ly|tinyurl\.com|t\.co|goo\.gl|ow\.ly|is\.gd|buff\.ly|rb\.gy)/", re.IGNORECASE
)
SPAM = re.compile(
    r"\b(?:buy now|click here|free money|limited time offer|work from home|bitcoin|crypto(?:currency)?|"
    r"casino|viagra|cialis|promo code|earn \$\d+|make money fast|dm me for)\b",
    re.IGNORECASE,
)


# "my son Kevin", "a student named Jordan", "her classmate Mai Vang".
NAME_AFTER_STUDENT_WORD = re.compile(
    r"\b(?:student|classmate|son|daughter|kid|child|boy|girl|friend|grader|freshman|sophomore|"
    r"hijo|hija|estudiante|alumno|alumna)(?:'s)?\s+(?:(?:is\s+)?named\s+|called\s+|llamad[oa]\s+)?"
    r"([A-Z][a-z]{1,20}(?:\s+[A-Z][a-z]{1,25})?)\b"
)


@lru_cache(maxsize=1)
def _name_lists() -> tuple[frozenset[str], frozenset[str]]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    first = frozenset(FREQUENCY_LISTS["male_names"]) | frozenset(FREQUENCY_LISTS["female_names"])
    return first, frozenset(FREQUENCY_LISTS["surnames"])


def _first_match(patterns: list[re.Pattern[str]], text: str) -> str | None:
    for pattern in patterns:
        match = pattern.search(text)
        if match:
            return match.group(0)
    return None


def configured_phone_region() -> str:
    """The PHONE_REGION setting inside the app, else the default."""
    if has_app_context():
        return str(current_app.config.get("PHONE_REGION", DEFAULT_PHONE_REGION))
    return DEFAULT_PHONE_REGION


def find_phone_number(text: str, region: str | None = None) -> str | None:
    """The first valid phone number in the text, as written, or None.

    Numbers without a +country code are read as `region`'s; libphonenumber checks each against
    its country's numbering plan, so years, dates and sums of money are not taken for numbers.
    """
    for match in phonenumbers.PhoneNumberMatcher(text, region or configured_phone_region()):
        return str(match.raw_string)
    return None


def _quote(fragment: str, limit: int = 80) -> str:
    fragment = " ".join(fragment.split())
    return f"“{fragment[:limit]}”"


def _named_student(text: str, school_names: frozenset[str]) -> str | None:
    """Find a person's name near talk of students: a likely student, whom the rules protect."""
    if not STUDENT_WORDS.search(text):
        return None
    if match := NAME_AFTER_STUDENT_WORD.search(text):
        return match.group(1)
    first_names, surnames = _name_lists()
    for match in FULL_NAME.finditer(text):
        first, last = match.group(1), match.group(2)
        known = first.lower() in first_names or last.lower() in surnames
        if known and not any(match.group(0) in school for school in school_names):
            return f"{first} {last}"
    return None


def screen_text(
    text: str, school_names: frozenset[str] = frozenset(), phone_region: str | None = None
) -> list[Finding]:
    """Return every rule this text may break, each with the words that triggered it.

    Phone numbers are read in `phone_region`'s format (default: the PHONE_REGION setting).
    """
    findings = []
    if hit := _first_match(THREAT_PATTERNS, text):
        findings.append(Finding("possible_threat", _quote(hit)))
    if hit := _first_match(SELF_HARM_PATTERNS, text):
        findings.append(Finding("possible_self_harm", _quote(hit)))
    personal = [
        label
        for label, found in (
            ("an email address", EMAIL.search(text)),
            ("a phone number", find_phone_number(text, phone_region)),
            ("a street address", STREET_ADDRESS.search(text)),
        )
        if found
    ]
    if name := _named_student(text, school_names):
        personal.append(f"a name beside a mention of a student ({name})")
    if personal:
        findings.append(Finding("personal_information", ", ".join(personal)))
    if match := OBSCENITY.search(text):
        findings.append(Finding("obscenity", _quote(match.group(0))))
    urls = URL.findall(text)
    if len(urls) >= 3 or SHORTENERS.search(text):
        findings.append(
            Finding(
                "links",
                f"{len(urls)} link(s)" + (", a link shortener" if SHORTENERS.search(text) else ""),
            )
        )
    if match := SPAM.search(text):
        findings.append(Finding("spam_pattern", _quote(match.group(0))))
    return findings
