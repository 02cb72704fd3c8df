"""The demo's survey: the questions a district asks beside open comment, and 300 responses."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from flask import current_app

from forum import surveys as survey_service
from forum.models import Consultation, QuestionKind, School, StakeholderRole, Survey, SurveyStatus
from forum.surveys import QuestionSpec

RESPONSES = 300

QUESTIONS = [
    QuestionSpec(
        kind=QuestionKind.SINGLE,
        prompt="How safe do you feel at your school (or your child's school)?",
        required=True,
        options=["Very safe", "Mostly safe", "Somewhat unsafe", "Very unsafe"],
    ),
    QuestionSpec(
        kind=QuestionKind.SINGLE,
        prompt="Should school resource officers be stationed on campus, nearby, or only on call?",
        help_text="Section 2 of the plan describes the change.",
        required=True,
        options=[
            "Stationed on campus",
            "Nearby, ready to respond",
            "Only on call, like any 911 call",
        ],
    ),
    QuestionSpec(
        kind=QuestionKind.SCALE,
        prompt="More counselors and social workers will make our schools safer.",
        required=True,
    ),
    QuestionSpec(
        kind=QuestionKind.RANKING,
        prompt="Rank these uses of the $1.4 million, from most to least important.",
        options=[
            "More school counselors",
            "Social workers and family liaisons",
            "Restorative-practice training for staff",
            "A district threat-assessment team",
            "Keeping officers on every high-school campus",
        ],
    ),
    QuestionSpec(
        kind=QuestionKind.MULTIPLE,
        prompt="Which of these supports has your school used in the past year?",
        options=[
            "School counselor",
            "School psychologist",
            "Social worker",
            "Peer mediation",
            "None of these",
        ],
        max_choices=3,
    ),
    QuestionSpec(
        kind=QuestionKind.NUMBER,
        prompt="Parents and guardians: how many of your children attend district schools?",
        min_value=0,
        max_value=12,
        results_public=False,
    ),
    QuestionSpec(
        kind=QuestionKind.SHORT_TEXT,
        prompt="In a few words, what would make you feel safer at school?",
    ),
    QuestionSpec(
        kind=QuestionKind.LONG_TEXT,
        prompt="Is there anything else the board should know?",
        help_text="Your answer is published as a public comment, without your name.",
    ),
]

SHORT_ANSWERS = {
    "support": [
        "Someone to talk to",
        "A counselor who knows my name",
        "Less policing, more support",
        "Adults who listen",
        "Calmer hallways",
    ],
    "oppose": [
        "An officer at the door",
        "Knowing police are close",
        "Locked gates and an officer",
        "Faster emergency response",
        "Keep the SRO",
    ],
    "neutral": [
        "Better lighting",
        "Working door locks",
        "Clear emergency plans",
        "More supervision",
    ],
}


def _leaning(rng: random.Random, role: str) -> str:
    from forum.seed import POSITION_WEIGHTS  # the seed imports this module

    support, oppose, mixed, neutral, _ = POSITION_WEIGHTS[StakeholderRole(role)]
    return rng.choices(["support", "oppose", "neutral"], [support, oppose, mixed + neutral])[0]


def _answers(
    rng: random.Random, survey: Survey, role: str, leaning: str, long_text: str
) -> dict[int, object]:
    q = survey.questions
    keys = [[o["key"] for o in question.options] for question in q]
    officer = {"support": [0.1, 0.3, 0.6], "oppose": [0.75, 0.2, 0.05], "neutral": [0.3, 0.4, 0.3]}
    scale = {
        "support": [0.02, 0.05, 0.1, 0.4, 0.4, 0.03],
        "oppose": [0.25, 0.35, 0.2, 0.12, 0.03, 0.05],
        "neutral": [0.05, 0.1, 0.4, 0.25, 0.1, 0.1],
    }
    ranking = list(keys[3])
    rng.shuffle(ranking)
    favourite = keys[3][4] if leaning == "oppose" else rng.choice(keys[3][:2])
    ranking.remove(favourite)
    ranking.insert(0, favourite)
    answers: dict[int, object] = {
        q[0].id: rng.choices(keys[0], [0.25, 0.45, 0.2, 0.1])[0],
        q[1].id: rng.choices(keys[1], officer[leaning])[0],
        q[2].id: rng.choices(["1", "2", "3", "4", "5", "dont_know"], scale[leaning])[0],
    }
    if rng.random() < 0.85:
        answers[q[3].id] = {key: str(ranking.index(key) + 1) for key in keys[3]}
    if rng.random() < 0.8:
        used = rng.sample(keys[4][:4], k=rng.choice([1, 1, 2, 3]))
        answers[q[4].id] = used if rng.random() < 0.9 else [keys[4][4]]
    if role == StakeholderRole.PARENT and rng.random() < 0.9:
        answers[q[5].id] = str(rng.choices([1, 2, 3, 4], [45, 35, 15, 5])[0])
    if rng.random() < 0.5:
        answers[q[6].id] = rng.choice(SHORT_ANSWERS[leaning])
    if long_text:
        answers[q[7].id] = long_text
    return answers


def seed_demo_survey(
    consultation: Consultation,
    schools: list[School],
    rng: random.Random,
    start: datetime,
    end: datetime,
) -> Survey:
    """Create the open demo survey and store RESPONSES responses through the public rules."""
    from forum.seed import ROLE_WEIGHTS, demo_comment

    survey = survey_service.create_survey(
        consultation,
        title="School safety survey",
        introduction=(
            "Eight short questions about safety at school and the plan's budget. "
            "It takes about five minutes."
        ),
        status=SurveyStatus.OPEN,
        hide_results_until_closed=False,
    )
    for spec in QUESTIONS:
        survey_service.add_question(survey, spec)
    max_chars = current_app.config["COMMENT_MAX_CHARS"]
    roles, weights = zip(*ROLE_WEIGHTS.items(), strict=True)
    window = end - start
    for index in range(RESPONSES):
        role = str(rng.choices(roles, weights)[0])
        leaning = _leaning(rng, role)
        long_text = demo_comment(rng).text if rng.random() < 0.15 else ""
        school = (
            rng.choice(schools)
            if role != StakeholderRole.COMMUNITY and rng.random() < 0.75
            else None
        )
        survey_service.submit_response(
            survey,
            survey_service.Respondent(
                stakeholder_role=role, school_id=school.id if school else None
            ),
            _answers(rng, survey, role, leaning, long_text),
            user=None,
            idempotency_key=f"demo-survey:{index}",
            max_chars=max_chars,
            received_at=start + window * (0.3 + 0.7 * rng.random()) - timedelta(minutes=1),
            enforce_period=False,
        )
    return survey
