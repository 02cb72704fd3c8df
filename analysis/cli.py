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
    deployed = stance.get("deployed", {})
    click.echo(
        f"Stance: {stance.get('status')}; predicted {stance.get('predicted', 0)}, "
        f"unknown {stance.get('unknown', 0)}. The rule answers where it holds precision "
        f"{stance.get('target_precision')}: cross-validated on {deployed.get('evaluated', 0)} "
        f"declared positions it answered for {deployed.get('coverage', 0):.0%} of support and "
        f"oppose, and was right {deployed.get('accuracy_when_answering') or 0:.0%} of the times "
        "it answered."
    )
    themes = metrics.get("themes", {})
    click.echo(
        f"Themes: {themes.get('coded_comments', 0)} comment(s) coded by staff; "
        f"{metrics['counts']['campaign_additions']} campaign copies add text of their own."
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


BENCH_DATA_HELP = (
    "Folder with public_comment/comments.jsonl: real comments whose sentences are joined into "
    "real-length texts (without it, the demo generator's comments are)."
)


def _timing_options(count: int):
    """--n, --threads and --data, shared by the commands that time the encoder."""

    def decorate(command):
        for option in reversed(
            (
                click.option(
                    "--n", "count", default=count, show_default=True, help="How many comments."
                ),
                click.option("--threads", default=os.cpu_count() or 1, show_default=True),
                click.option(
                    "--data",
                    "data_dir",
                    type=click.Path(file_okay=False, path_type=Path),
                    default=DEFAULT_DATA,
                    show_default=True,
                    help=BENCH_DATA_HELP,
                ),
            )
        ):
            command = option(command)
        return command

    return decorate


@analysis_cli.command("bench")
@_timing_options(10_000)
def bench_command(count: int, threads: int, data_dir: Path) -> None:
    """Time the pipeline on N real-length comments against a bare and a naive encoder."""
    from analysis.bench import run_bench

    result = run_bench(count, threads, data_dir, current_app.config["ANALYSIS_QUANTIZE"])
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    click.echo(json.dumps(result | {"peak_rss_mb": round(peak_mb)}, indent=2))


@analysis_cli.command("quantization")
@_timing_options(1_000)
@click.option("--repeat", default=2, show_default=True, help="Time each variant this often.")
def quantization_command(count: int, threads: int, data_dir: Path, repeat: int) -> None:
    """Compare int8 variants of the encoder with fp32: cosine of the vectors and speed."""
    from analysis.bench import run_quantization

    click.echo(json.dumps(run_quantization(count, threads, data_dir, repeat), indent=2))


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
    from analysis.training import evaluate_heads, record_figures

    encoder = get_encoder(
        current_app.config["ANALYSIS_ENCODER"], 128, current_app.config["ANALYSIS_THREADS"]
    )
    figures = evaluate_heads(encoder, data_dir, lambda message: click.echo(f"  {message}"))
    figures |= evaluate_stance(encoder)
    record_figures(figures)
    write_model_card(figures)
    click.echo(json.dumps(figures, indent=2))


@analysis_cli.command("evaluate-comments")
@click.option(
    "--data",
    "data_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=DEFAULT_DATA,
    show_default=True,
    help="Folder with public_comment/ (comments.jsonl and codebook.json).",
)
@click.option(
    "--split",
    "which",
    type=click.Choice(["dev", "test"]),
    default="test",
    show_default=True,
    help="dev: the half settings were chosen on; test: the half reported.",
)
def evaluate_comments_command(data_dir: Path, which: str) -> None:
    """Stance, tone and theme figures on real public comment, through `classify` itself."""
    from analysis.classify import classify_file
    from analysis.realeval import evaluate

    def classify(source: Path, target: Path, codebook: Path) -> None:
        classify_file(source, target, codebook_path=codebook)

    from analysis.model_card import save_real_figures, write_model_card
    from analysis.training import saved_metrics

    figures = evaluate(data_dir, which, classify, lambda message: click.echo(f"  {message}"))
    click.echo(json.dumps(figures, indent=2))
    if which == "test":
        save_real_figures(figures)
        write_model_card(saved_metrics())


def register(app: Flask) -> None:
    app.cli.add_command(analysis_cli)
