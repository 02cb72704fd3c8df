"""Written answers: a short line (kept with the response) or long text (published as a comment)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from forum.exceptions import ForumError, InvalidChoice
from forum.models import Channel, QuestionKind
from forum.services import comments as comment_service
from forum.surveys.kinds.base import QuestionType, question_kind

if TYPE_CHECKING:
    from forum.models import Consultation, SurveyAnswer, SurveyQuestion, SurveyResponse, User

SHORT_TEXT_MAX = 200
GUEST_NAME = "Survey respondent"


class WrittenAnswer(QuestionType):
    """Text as typed, up to a length; the length limit is the kind's own or the comment limit."""

    max_length: ClassVar[int | None] = None  # None: the site's comment limit
    one_line: ClassVar[bool] = False

    def clean(self, question: SurveyQuestion, raw: Any, *, max_chars: int) -> Any:
        if not isinstance(raw, str):
            raise InvalidChoice(_("Write your answer as text."))
        limit = self.max_length or max_chars
        if len(raw) > limit:
            raise ForumError(
                _(
                    "Answers can be at most %(limit)s characters; this one has %(count)s.",
                    limit=f"{limit:,}",
                    count=f"{len(raw):,}",
                )
            )
        if self.one_line and ("\n" in raw or "\r" in raw):
            raise ForumError(_("Write a short answer on one line."))
        return raw


@question_kind
class ShortText(WrittenAnswer):
    name = QuestionKind.SHORT_TEXT.value
    label = _l("Short text")
    input_template = "surveys/questions/short_text.html"
    max_length = SHORT_TEXT_MAX
    one_line = True


@question_kind
class LongText(WrittenAnswer):
    """Long answers become comments of channel "survey", analysed with the other comments."""

    name = QuestionKind.LONG_TEXT.value
    label = _l("Long text (published as a comment)")
    input_template = "surveys/questions/long_text.html"
    results_template = "surveys/results/published_as_comments.html"

    def after_store(
        self,
        answer: SurveyAnswer,
        response: SurveyResponse,
        consultation: Consultation,
        *,
        author: User | None,
        max_chars: int,
    ) -> None:
        draft = comment_service.CommentDraft(
            text=answer.value,
            stakeholder_role=response.stakeholder_role,
            declared_position=None,  # the survey does not ask; the stance model predicts it
            preferred_language=response.preferred_language,
            school_id=response.school_id,
            author_name=GUEST_NAME,
            channel=Channel.SURVEY,
            received_at=response.submitted_at,
        )
        answer.comment = comment_service.create_comment(
            consultation,
            draft,
            author=author,
            idempotency_key=None,
            max_chars=max_chars,
            enforce_period=False,
        )

    def export_headers(self, question: SurveyQuestion) -> list[str]:
        return [*super().export_headers(question), f"Q{question.position} comment number"]

    def export_cells(self, question: SurveyQuestion, answer: SurveyAnswer | None) -> list[str]:
        number = f"#{answer.comment.number}" if answer is not None and answer.comment else ""
        return [*super().export_cells(question, answer), number]
