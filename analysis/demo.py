"""The demo consultation's codebook: the plan's sections and common school-safety themes."""

from __future__ import annotations

from analysis.models import Theme
from extensions import db
from forum.models import Consultation

CODEBOOK = [
    (
        "safety_response",
        "Safety and response time",
        "Whether students are safe and how quickly help arrives in an emergency if officers are not on campus; "
        "fights, weapons, intruders, officers responding in seconds or minutes.",
    ),
    (
        "mental_health",
        "Mental-health staff",
        "Counselors, social workers, psychologists, wellness centers and student mental health; crises handled by "
        "mental-health professionals.",
    ),
    (
        "equity",
        "Racial equity and discipline",
        "Students of colour, Black and Latino students and students with disabilities referred to police, cited, "
        "arrested or disciplined at higher rates; fairness and bias.",
    ),
    (
        "cost",
        "Cost and budget",
        "The $1.4 million cost, the budget, the general fund, grants running out, class sizes and how money is spent.",
    ),
    (
        "training",
        "Training and restorative practices",
        "De-escalation, implicit-bias and restorative-practices training for staff, monitors and officers.",
    ),
    (
        "trust",
        "Trust and relationships",
        "Whether students trust officers or counselors, fear of police, officers who know and mentor students.",
    ),
    (
        "threat_assessment",
        "Threat assessment and crisis response",
        "Threat-assessment teams, warning signs, mobile crisis teams, 5150 holds and who responds to a student in crisis.",
    ),
    (
        "safety_director",
        "School safety director",
        "The new district school safety director, emergency planning, drills and campus monitors.",
    ),
]


def seed_codebook(consultation: Consultation) -> str:
    for key, label, description in CODEBOOK:
        db.session.add(
            Theme(consultation_id=consultation.id, key=key, label=label, description=description)
        )
    db.session.flush()
    return f"Analysis demo: a codebook of {len(CODEBOOK)} themes for '{consultation.slug}'."
