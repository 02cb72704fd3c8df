"""`flask analysis ...`: run, classify, bench, train-heads and evaluate."""

from __future__ import annotations

import json
import os
import resource
import time
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from extensions import db

analysis_cli = AppGroup("analysis", help="Comment analysis.")
DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@analysis_cli.command("run")
@click.argument("slug")
def run_command(slug: str) -> None:
    """Analyse a consultation's published comments now and store the results."""
    from analysis.pipeline import queue_run, run_analysis
    from forum.services.consultations import get_by_slug

    consultation = get_by_slug(slug)
    if consultation is None:
        raise click.ClickException(f"No consultation with slug {slug!r}.")
    run = queue_run(consultation)
    db.session.commit()
    with click.progressbar(length=100, label=f"Analysing {slug}") as bar:

        def progress(percent: int, message: str) -> None:
            bar.update(percent - bar.pos)

        finished = run_analysis(run.id, progress)
    if finished is None:
        raise click.ClickException(f"Analysis run {run.id} was taken by another worker.")
    metrics = finished.metrics
    stance = metrics["stance"]
    click.echo(
        f"Run {run.id}: {metrics['counts']['comments']} comments, "
        f"{metrics['counts']['not_analysed']} not analysed (not English), "
        f"{metrics['counts']['campaigns']} campaign(s), {metrics['counts']['discovered_themes']} discovered theme(s)."
    )
    click.echo(
        f"Stance: {stance.get('status')}; cross-validated accuracy {stance.get('cv_accuracy', 'n/a')}, "
        f"support vs oppose {stance.get('cv_support_vs_oppose_accuracy', 'n/a')}; "
        f"predicted {stance.get('predicted', 0)}, unknown {stance.get('unknown', 0)}."
    )


@analysis_cli.command("detect-languages")
@click.option("--limit", default=500, show_default=True, help="At most this many comments.")
def detect_languages_command(limit: int) -> None:
    """Detect and store the language of comments that have none yet (the worker does this)."""
    from analysis.language import detect_new_comments

    click.echo(f"Detected the language of {detect_new_comments(limit)} comment(s).")


@analysis_cli.command("classify")
@click.argument(
    "input_path",
    metavar="INPUT.jsonl",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@click.option(
    "-o", "--output", "output_path", required=True, type=click.Path(dir_okay=False, path_type=Path)
)
@click.option(
    "--proposal",
    default="",
    help="The proposal the positions refer to (echoed; stance is learned from the positions given).",
)
@click.option(
    "--codebook",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="JSON object mapping theme keys to descriptions.",
)
def classify_command(
    input_path: Path, output_path: Path, proposal: str, codebook: Path | None
) -> None:
    """Classify each line of INPUT.jsonl (id, text, optional role and position) into OUTPUT."""
    from analysis.classify import ClassifyError, classify_file

    try:
        count = classify_file(input_path, output_path, codebook_path=codebook)
    except ClassifyError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Classified {count} line(s) into {output_path}.")
    if proposal:
        click.echo(f"Stance is toward: {proposal}")


@analysis_cli.command("bench")
@click.option("--n", "count", default=10_000, show_default=True, help="How many comments.")
@click.option("--threads", default=os.cpu_count() or 1, show_default=True)
def bench_command(count: int, threads: int) -> None:
    """Time the whole pipeline on N demo-like comments against a bare SentenceTransformer.encode."""
    from analysis.bench import run_bench

    result = run_bench(count, threads)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    click.echo(json.dumps(result | {"peak_rss_mb": round(peak_mb)}, indent=2))


@analysis_cli.command("train-heads")
@click.option(
    "--data",
    "data_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=DEFAULT_DATA,
    show_default=True,
    help="Folder with tweeteval/ and sst2/.",
)
def train_heads_command(data_dir: Path) -> None:
    """Train the sentiment and offensive-language heads and write their model card figures."""
    from analysis.encoder import get_encoder
    from analysis.model_card import write_model_card
    from analysis.training import train_heads

    start = time.perf_counter()
    encoder = get_encoder(
        current_app.config["ANALYSIS_ENCODER"], 128, current_app.config["ANALYSIS_THREADS"]
    )
    figures = train_heads(encoder, data_dir, lambda message: click.echo(f"  {message}"))
    write_model_card(figures)
    click.echo(json.dumps(figures, indent=2))
    click.echo(f"Trained in {time.perf_counter() - start:.0f} s.")


@analysis_cli.command("evaluate")
@click.option(
    "--data",
    "data_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=DEFAULT_DATA,
    show_default=True,
)
def evaluate_command(data_dir: Path) -> None:
    """Print the heads' figures on TweetEval and the stance figure on the labelled demo set."""
    from analysis.encoder import get_encoder
    from analysis.evaluation import evaluate_stance
    from analysis.model_card import write_model_card
    from analysis.training import evaluate_heads

    encoder = get_encoder(
        current_app.config["ANALYSIS_ENCODER"], 128, current_app.config["ANALYSIS_THREADS"]
    )
    figures = evaluate_heads(encoder, data_dir, lambda message: click.echo(f"  {message}"))
    figures |= evaluate_stance(encoder)
    write_model_card(figures)
    click.echo(json.dumps(figures, indent=2))


def register(app: Flask) -> None:
    app.cli.add_command(analysis_cli)
