"""Staff pages for analysis: run it, follow its progress, read results, tend the codebook."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import format_decimal, format_percent
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from analysis import coding, services
from analysis.forms import CodingForm, CommentThemesForm, DiscoveredThemeForm, ThemeForm
from analysis.models import (
    AnalysisRun,
    Campaign,
    CommentAnalysis,
    DiscoveredTheme,
    RepresentativeQuote,
    Theme,
    ThemeCorrection,
)
from analysis.packet.quality import confusion_table
from analysis.pipeline import latest_run, queue_run
from analysis.tasks import enqueue_analysis
from extensions import db
from forum.actions import Refused, commit_or_flash
from forum.auth import role_required
from forum.forms import CsrfForm
from forum.models import Comment, CommentStatus, Consultation, Role

bp = Blueprint("analysis", __name__, url_prefix="/staff/analysis")
STAFF = (Role.STAFF, Role.ADMIN)
SKIPPED = "coding_skipped"  # session key: consultation id -> comments skipped on the coding page
SKIP_MEMORY = 100  # the newest skips kept, so the session cookie stays small
LOW_PRECISION = 0.7  # the pipeline marks a theme low confidence below this estimated precision


def _consultation(slug: str) -> Consultation:
    return db.one_or_404(select(Consultation).where(Consultation.slug == slug))


def _results(run: AnalysisRun) -> dict:
    rows = db.session.execute(
        select(CommentAnalysis, Comment)
        .join(Comment, Comment.id == CommentAnalysis.comment_id)
        .where(CommentAnalysis.run_id == run.id)
        .order_by(Comment.number)
    ).all()
    stance_by_role: dict[str, Counter] = defaultdict(Counter)
    tone_by_role: dict[str, Counter] = defaultdict(Counter)
    theme_counts: Counter = Counter()
    for analysis, comment in rows:
        stance_by_role[comment.stakeholder_role][analysis.stance] += 1
        if analysis.sentiment:
            tone_by_role[comment.stakeholder_role][analysis.sentiment] += 1
        theme_counts.update(analysis.themes)
    quotes: dict[str, list[Comment]] = defaultdict(list)
    for quote, comment in db.session.execute(
        select(RepresentativeQuote, Comment)
        .join(Comment, Comment.id == RepresentativeQuote.comment_id)
        .where(RepresentativeQuote.run_id == run.id, RepresentativeQuote.group_type == "theme")
        .order_by(RepresentativeQuote.rank)
    ):
        quotes[quote.group_key].append(comment)
    by_id = {comment.id: comment for _, comment in rows}
    return {
        "stance_by_role": stance_by_role,
        "tone_by_role": tone_by_role,
        "theme_counts": theme_counts,
        "quotes": quotes,
        "campaigns": db.session.scalars(select(Campaign).where(Campaign.run_id == run.id)).all(),
        "discovered": db.session.scalars(
            select(DiscoveredTheme).where(DiscoveredTheme.run_id == run.id)
        ).all(),
        "contradictions": [(a, c) for a, c in rows if a.contradiction],
        "not_analysed": [(a, c) for a, c in rows if not a.analysed],
        "by_id": by_id,
    }


@bp.route("/<slug>")
@role_required(*STAFF)
def overview(slug: str):
    consultation = _consultation(slug)
    current = latest_run(consultation.id)
    finished = latest_run(consultation.id, finished=True)
    themes = db.session.scalars(
        select(Theme).where(Theme.consultation_id == consultation.id).order_by(Theme.key)
    ).all()
    progress, _order, _coded = coding.progress(consultation.id, [t.key for t in themes if t.active])
    return render_template(
        "analysis/overview.html",
        consultation=consultation,
        current=current,
        finished=finished,
        results=_results(finished) if finished else None,
        estimates=_theme_estimates(finished, themes) if finished else [],
        stance_rule=_stance_rule(finished) if finished else None,
        themes=themes,
        progress=progress,
        interval_level=format_percent(0.95),
        low_precision=format_percent(LOW_PRECISION),
        form=CsrfForm(),
    )


def _percent(value: float | None) -> str | None:
    return None if value is None else format_percent(value)


def _whole(value: float | None) -> str | None:
    return None if value is None else format_decimal(round(value))


def _theme_estimates(run: AnalysisRun, themes: Sequence[Theme]) -> list[dict[str, Any]]:
    """Each active theme's count as an estimate with its interval, for runs that stored one."""
    per_theme = (run.metrics.get("themes") or {}).get("per_theme") or {}
    rows = []
    for theme in themes:
        figures = per_theme.get(theme.key)
        if not theme.active or not isinstance(figures, dict):
            continue
        rows.append(
            {
                "theme": theme,
                "assigned": figures.get("assigned"),
                "estimate": _whole(figures.get("estimate")),
                "low": _whole(figures.get("low")),
                "high": _whole(figures.get("high")),
                "precision": _percent(figures.get("precision")),
                "recall": _percent(figures.get("recall")),
                "coded": figures.get("coded") or 0,
                "coded_positive": figures.get("coded_positive") or 0,
                "learned": figures.get("source") == "learned",
                "low_confidence": bool(figures.get("low_confidence")),
            }
        )
    return rows


def _stance_rule(run: AnalysisRun) -> dict[str, Any] | None:
    """The deployed abstention rule as cross-validation measured it (new runs only)."""
    deployed = (run.metrics.get("stance") or {}).get("deployed")
    if not isinstance(deployed, dict):
        return None
    threshold = deployed.get("threshold")
    columns, rows = confusion_table(deployed.get("confusion") or {})
    return {
        "target": _percent(deployed.get("target_precision")),
        "threshold": None if threshold is None else format_decimal(round(threshold, 2)),
        "evaluated": deployed.get("evaluated") or 0,
        "answered": deployed.get("answered") or 0,
        "coverage": _percent(deployed.get("coverage")) or format_percent(0),
        "accuracy": _percent(deployed.get("accuracy_when_answering")),
        "folds": deployed.get("folds") or 0,
        "grouped_copies": deployed.get("grouped_copies") or 0,
        "columns": columns,
        "rows": rows,
    }


@bp.route("/<slug>/run", methods=["POST"])
@role_required(*STAFF)
def start(slug: str):
    consultation = _consultation(slug)
    if not CsrfForm().validate_on_submit():
        abort(400)
    running = latest_run(consultation.id)
    if running is not None and running.status in ("queued", "running"):
        flash(_("An analysis is already under way."), "info")
        return redirect(url_for(".overview", slug=slug), code=303)
    run = queue_run(consultation)
    db.session.commit()
    if enqueue_analysis(run.id):
        flash(_("Analysis %(id)d is queued; this page shows its progress.", id=run.id), "success")
    else:
        flash(_("The job queue is not reachable; the analysis will start when it is."), "error")
    return redirect(url_for(".overview", slug=slug), code=303)


@bp.route("/<slug>/themes", methods=["POST"])
@role_required(*STAFF)
def save_theme(slug: str):
    consultation = _consultation(slug)
    form = ThemeForm()
    if not form.validate_on_submit():
        abort(400)
    saved = commit_or_flash(
        lambda: services.save_theme(
            consultation, form.key.data, form.label.data, form.description.data, form.active.data
        )
    )
    if saved:
        flash(_("Codebook saved. The next analysis uses it."), "success")
    return redirect(url_for(".overview", slug=slug) + "#codebook", code=303)


@bp.route("/<slug>/discovered/<int:found_id>", methods=["POST"])
@role_required(*STAFF)
def discovered(slug: str, found_id: int):
    consultation = _consultation(slug)
    found = db.get_or_404(DiscoveredTheme, found_id)
    run = db.get_or_404(AnalysisRun, found.run_id)
    if run.consultation_id != consultation.id:
        abort(404)
    form = DiscoveredThemeForm()
    if not form.validate_on_submit():
        abort(404 if "csrf_token" in form.errors else 400)

    def change() -> None:
        if form.action.data == "name":
            services.name_discovered(found, form.name.data)
        elif form.action.data == "merge":
            theme = db.session.scalar(
                select(Theme).where(
                    Theme.consultation_id == consultation.id, Theme.key == form.theme_key.data
                )
            )
            services.merge_discovered(found, theme, current_user)
        else:
            services.promote_discovered(consultation, found, form.key.data, current_user)

    if not isinstance(commit_or_flash(change), Refused):
        flash(_("Saved. The next analysis follows it."), "success")
    return redirect(url_for(".overview", slug=slug) + "#discovered", code=303)


@bp.route("/<slug>/comments/<int:number>", methods=["GET", "POST"])
@role_required(*STAFF)
def comment_themes(slug: str, number: int):
    consultation = _consultation(slug)
    comment = db.one_or_404(
        select(Comment).where(Comment.consultation_id == consultation.id, Comment.number == number)
    )
    themes = db.session.scalars(
        select(Theme).where(Theme.consultation_id == consultation.id, Theme.active)
    ).all()
    form = CommentThemesForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        chosen = set(form.themes.data or [])
        services.correct_themes(comment.id, {t.key: t.key in chosen for t in themes}, current_user)
        db.session.commit()
        flash(
            _(
                "Themes for %(label)s saved; the next analysis follows them.",
                label=comment.public_label,
            ),
            "success",
        )
        return redirect(url_for(".comment_themes", slug=slug, number=number), code=303)
    finished = latest_run(consultation.id, finished=True)
    analysis = (
        db.session.scalar(
            select(CommentAnalysis).where(
                CommentAnalysis.run_id == finished.id, CommentAnalysis.comment_id == comment.id
            )
        )
        if finished
        else None
    )
    corrections = {
        c.theme_key: c.applies
        for c in db.session.scalars(
            select(ThemeCorrection).where(ThemeCorrection.comment_id == comment.id)
        )
    }
    return render_template(
        "analysis/comment.html",
        consultation=consultation,
        comment=comment,
        themes=themes,
        analysis=analysis,
        corrections=corrections,
        form=form,
    )


def _skipped(consultation_id: int) -> list[int]:
    return list(session.get(SKIPPED, {}).get(str(consultation_id), []))


def _remember_skip(consultation_id: int, comment_id: int) -> None:
    kept = dict(session.get(SKIPPED, {}))
    ids = [i for i in kept.get(str(consultation_id), []) if i != comment_id] + [comment_id]
    kept[str(consultation_id)] = ids[-SKIP_MEMORY:]
    session[SKIPPED] = kept


def _comment_in(consultation: Consultation, comment_id: int | None) -> Comment:
    comment = db.session.get(Comment, comment_id) if comment_id else None
    if comment is None or comment.consultation_id != consultation.id:
        abort(400)
    return comment


@bp.route("/<slug>/coding", methods=["GET", "POST"])
@role_required(*STAFF)
def code_sample(slug: str):
    """Code a sample: one published comment at a time, a checkbox per theme in use."""
    consultation = _consultation(slug)
    themes = coding.active_themes(consultation.id)
    form = CodingForm()
    form.themes.choices = [(t.key, t.label) for t in themes]
    comment: Comment | None = None
    if request.method == "POST":
        comment = _comment_in(consultation, form.comment_id.data)
        if form.validate_on_submit():
            _save_codes(consultation, comment, themes, form)
            return redirect(url_for(".code_sample", slug=slug), code=303)
    pick = coding.next_pick(consultation.id, [t.key for t in themes], _skipped(consultation.id))
    if comment is None and pick.comment_id is not None:
        comment = db.session.get_one(Comment, pick.comment_id)
        form.comment_id.data = comment.id
        form.themes.data = [
            c.theme_key
            for c in db.session.scalars(
                select(ThemeCorrection).where(ThemeCorrection.comment_id == comment.id)
            )
            if c.applies
        ]
    return render_template(
        "analysis/coding.html",
        consultation=consultation,
        themes=themes,
        descriptions={t.key: t.description for t in themes},
        comment=comment,
        pick=pick,
        skipped=len(_skipped(consultation.id)),
        has_run=latest_run(consultation.id, finished=True) is not None,
        form=form,
    ), (400 if form.errors else 200)


def _save_codes(
    consultation: Consultation, comment: Comment, themes: list[Theme], form: CodingForm
) -> None:
    if form.skip.data:
        _remember_skip(consultation.id, comment.id)
        flash(
            _(
                "%(label)s skipped; it will not come up again in this session.",
                label=comment.public_label,
            ),
            "info",
        )
        return
    if comment.status != CommentStatus.PUBLISHED:
        flash(
            _("%(label)s is no longer published; nothing was saved.", label=comment.public_label),
            "error",
        )
        return
    chosen = set(form.themes.data or [])
    services.correct_themes(comment.id, {t.key: t.key in chosen for t in themes}, current_user)
    db.session.commit()
    flash(
        _(
            "Codes for %(label)s saved. The next analysis learns the themes from them.",
            label=comment.public_label,
        ),
        "success",
    )
