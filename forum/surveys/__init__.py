"""Surveys on a consultation: building them, answering them, and counting the answers.

Each kind of question is one class in `kinds`; the modules here handle what every kind shares.
`from forum import surveys as survey_service` gives the functions other code calls.
"""

from forum.surveys.answering import (
    AlreadyResponded,
    AnswersInvalid,
    Respondent,
    clean_answer,
    clean_answers,
    existing_response,
    find_by_idempotency_key,
    is_same_response,
    submit_response,
)
from forum.surveys.building import (
    QuestionSpec,
    SurveyLocked,
    add_question,
    create_survey,
    listed_surveys,
    move_question,
    parse_options,
    response_count,
    update_question,
    update_survey,
    validate_spec,
)
from forum.surveys.export import answer_text, csv_rows
from forum.surveys.kinds import (
    KINDS,
    QuestionType,
    kind_choices,
    kind_of,
    question_kind,
    unregister_kind,
)
from forum.surveys.results import chart_alt, results, results_visible_to_public, role_label

__all__ = [
    "KINDS",
    "AlreadyResponded",
    "AnswersInvalid",
    "QuestionSpec",
    "QuestionType",
    "Respondent",
    "SurveyLocked",
    "add_question",
    "answer_text",
    "chart_alt",
    "clean_answer",
    "clean_answers",
    "create_survey",
    "csv_rows",
    "existing_response",
    "find_by_idempotency_key",
    "is_same_response",
    "kind_choices",
    "kind_of",
    "listed_surveys",
    "move_question",
    "parse_options",
    "question_kind",
    "response_count",
    "results",
    "results_visible_to_public",
    "role_label",
    "submit_response",
    "unregister_kind",
    "update_question",
    "update_survey",
    "validate_spec",
]
