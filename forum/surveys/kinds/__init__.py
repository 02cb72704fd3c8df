"""Question kinds, one class each, found by name in a registry (see `base`).

Importing this package registers the built-in kinds, in the order the builder lists them.
"""

# isort: off
# The builder lists the kinds in the order they register: keep this order.
from forum.surveys.kinds import choice
from forum.surveys.kinds import ranking
from forum.surveys.kinds import number
from forum.surveys.kinds import text

# isort: on
from forum.surveys.kinds.base import (
    KINDS,
    QuestionType,
    kind_choices,
    kind_of,
    question_kind,
    unregister_kind,
)
from forum.surveys.kinds.choice import SCALE_LABELS, CountedChoice

__all__ = [
    "KINDS",
    "SCALE_LABELS",
    "CountedChoice",
    "QuestionType",
    "choice",
    "kind_choices",
    "kind_of",
    "number",
    "question_kind",
    "ranking",
    "text",
    "unregister_kind",
]
