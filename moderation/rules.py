"""The published, content-neutral rules: hide reason codes, screening reasons and flag reasons.

A district forum is a limited public forum: moderators act only on these rules, never on the
opinion a comment expresses. There is deliberately no "offensive", "disrespectful" or
"misinformation" code (Ison v. Madison Local School District, 6th Cir. 2021).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

# Codes a moderator may give when hiding a comment. Any other code is refused.
HIDE_REASONS = {
    "off_topic": _l("Off topic: not about the plan or question this consultation asks about."),
    "obscenity": _l("Obscenity: obscene or sexually explicit material."),
    "true_threat": _l("True threat: a serious expression of intent to harm a person or group."),
    "personal_information": _l(
        "Personal information: private details about a student, staff member or other person, "
        "such as a student's name, an address or a phone number."
    ),
    "commercial_spam": _l("Commercial spam: advertising or solicitation."),
    "duplicate": _l("Duplicate: the same comment sent again by the same person."),
}

# Why a comment is in the review queue, and how urgent that is (higher first).
REVIEW_REASONS = {
    "possible_threat": (_l("Possible threat of violence"), 100),
    "possible_self_harm": (_l("Possible risk of self-harm"), 100),
    "flag_threat": (_l("Flagged as a threat"), 90),
    "personal_information": (_l("Possible personal information"), 60),
    "flag_personal_information": (_l("Flagged for personal information"), 55),
    "obscenity": (_l("Possible obscenity"), 40),
    "flag_obscenity": (_l("Flagged as obscene"), 35),
    "offensive_language": (_l("Offensive language (model)"), 30),
    "links": (_l("Links"), 25),
    "spam_pattern": (_l("Looks like spam"), 25),
    "flag_commercial_spam": (_l("Flagged as spam"), 25),
    "flag_off_topic": (_l("Flagged as off topic"), 15),
    "duplicate": (_l("Repeat of the same person's comment"), 20),
    "flag_duplicate": (_l("Flagged as a duplicate"), 15),
    "near_duplicate": (_l("Near-identical to other comments"), 10),
    "pre_moderation": (_l("Waiting for approval"), 5),
}

# Reasons a participant can give when flagging a comment.
FLAG_REASONS = {
    "threat": _l("It threatens violence or someone may be at risk"),
    "personal_information": _l("It shares private information about someone"),
    "obscenity": _l("It is obscene"),
    "commercial_spam": _l("It is advertising or spam"),
    "off_topic": _l("It is off topic"),
    "duplicate": _l("It repeats the same person's comment"),
}

# Reasons that hold a new comment off the public page until a moderator looks.
HOLDING_REASONS = frozenset(
    {"possible_threat", "possible_self_harm", "personal_information", "obscenity", "links",
     "spam_pattern", "duplicate"}
)  # fmt: skip
THREAT_REASONS = frozenset({"possible_threat", "possible_self_harm", "flag_threat"})


def review_label(code: str) -> str:
    label = REVIEW_REASONS.get(code)
    return str(label[0]) if label else code


def urgency(codes: list[str] | set[str]) -> int:
    return max((REVIEW_REASONS.get(code, (None, 1))[1] for code in codes), default=0)
