"""Write the heads' model card with the latest measured figures."""

from __future__ import annotations

import json

from analysis.heads import HEADS_DIR, file_hash

CARD = HEADS_DIR / "MODEL_CARD.md"
REAL_FIGURES = HEADS_DIR / "real_comments.json"


def save_real_figures(figures: dict) -> None:
    """Keep the last test-half figures on real public comment for the card and the README."""
    REAL_FIGURES.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


def _real_rows() -> str:
    if not REAL_FIGURES.exists():
        return "| (not measured yet: run `flask analysis evaluate-comments`) | |"
    figures = json.loads(REAL_FIGURES.read_text(encoding="utf-8"))
    return "\n".join(f"| `{name}` | {value} |" for name, value in figures.items())


def write_model_card(figures: dict[str, float]) -> None:
    rows = "\n".join(f"| `{name}` | {value} |" for name, value in sorted(figures.items()))
    real = _real_rows()
    CARD.write_text(f"""# Sounding Board analysis heads

Two small heads read the shared encoder's features (the mean of each of the seven hidden-state
layers of `all-MiniLM-L6-v2`, 2,688 numbers per text), so every comment is encoded once and every
stage reuses that pass.

| head | file | sha256 (first 16) |
|---|---|---|
| sentiment (negative / neutral / positive) | `sentiment.npz` | `{file_hash(HEADS_DIR / "sentiment.npz")}` |
| offensive language (not offensive / offensive) | `offensive.npz` | `{file_hash(HEADS_DIR / "offensive.npz")}` |

## Method

Each head is an ensemble of five one-hidden-layer networks (128 units, GELU, dropout 0.2 on the
input and 0.5 on the hidden layer, AdamW with weight decay 0.1, class-balanced cross-entropy,
8 epochs, seeds 13-17), trained on standardised features with the encoder frozen; their
probabilities are averaged. Weights are stored as float16. Training is `flask analysis
train-heads --data ../shared/data` (about ten minutes on two cores).

## Training data and licences

- Sentiment: TweetEval sentiment `test` split (12,284 tweets; the `train` split is not shipped
  here), plus 5,000 SST-2 sentences of six words or more (weight 0.5, negative/positive only).
- Offensive: TweetEval offensive `train` split (11,916 tweets).
- TweetEval: Barbieri, Camacho-Collados, Espinosa-Anke and Neves, "TweetEval: Unified Benchmark
  and Comparative Evaluation for Tweet Classification", Findings of EMNLP 2020. The sentiment task
  derives from SemEval-2017 Task 4 and the offensive task from OffensEval 2019 (OLID); their terms
  and Twitter's apply. SST-2: Socher et al., EMNLP 2013; GLUE (Wang et al., 2018).
- Neither data set is copied into this repository; only the trained weights are.

## Measured figures

Printed by `flask analysis evaluate` (which rewrites this table). Sentiment is validated on
TweetEval sentiment `val` (never trained on); offensive on TweetEval offensive `val` and `test`.
Stance rows: 5 folds, each time 80% of the comments keep their declared position and the other
20% are predicted; `support_oppose_accuracy` is the share of hidden support and oppose comments put
on the right side, `..._unknown_as_wrong` counts the classifier's "unknown" answers as errors, and
`coverage` is how often it answers at all. `written` is 100 fictional comments written for this
evaluation, independent of the demo generator (`analysis/eval/stance_labelled.jsonl`: 40 support,
40 oppose, 10 mixed, 10 neutral); `demo` is 400 comments from the demo generator (seed 99), which
share its phrases and so are easy: read `written` as the honest figure.

| figure | value |
|---|---|
{rows}

`sentiment_deployed_val_macro_f1` is the rule the pipeline applies to comments: the head's
probabilities multiplied by tone weights (negative 1.0, neutral 1.5, positive 1.7, renormalised;
`analysis/core.py`, `TONE_WEIGHTS`). Tweets are mostly neutral while public comment is mostly
negative in tone, and the head under-calls neutral and positive on comments; the weights were
chosen on the development half of the real comments below (macro-F1 0.553 without, 0.606 with)
and did not carry over to the reported half (0.477 without, 0.461 with: it has four positive
comments, so each one moves the figure by several points). Tone on real comment stays well
short of the 0.65 target; what would move it is labelled public comment for tone, not tweets.
TweetEval sentiment `test` is not reported: the head is trained on it (the `train` split is not
shipped).

## Measured on real public comment

Printed by `flask analysis evaluate-comments --split test` (which rewrites this table), through
the `flask analysis classify` contract itself. The set: 121 real public comments about police in
schools (board meetings, letters and hearings, 2018-2025, each with its source page), labelled
for stance, tone and 13 themes, read from `../shared/data/public_comment/` at evaluation time and
never copied here. It is split once (seed 2026) into a development half of 61 comments, where
every setting (tone weights, theme rules and floors, stance regularisation) was chosen, and a test
half of 60, reported here; no setting was chosen by looking at it. Five folds over the test half that keep
near-duplicates together; each fold is classified while the development half and the other folds
carry their declared positions (and, for `themes_micro_f1_coded`, their coded themes).
`stance_coverage` is the share of support and oppose comments the rule answers for,
`stance_precision` how often it is right when it does, at the default precision setting of 0.90.

| figure | value |
|---|---|
{real}

## What was tried for stance and themes on real comments

Measured on the development half (5-fold inside it), or on all 121 comments for information only.
Stance, support vs oppose: logistic regression on the last layer's sentence vector answering every
comment is right 0.70-0.72 of the time on all 121 comments (0.54-0.57 on the development half);
TF-IDF 1-2-grams plus sentence vectors (the previous method) 0.67-0.77; single middle layers and
all seven layers 0.60-0.74; codebook similarities as features 0.64. None gets near precision
0.90 at 80% coverage: on this set, the rule that holds 0.90 abstains almost always, and says so.
Themes, codebook only: cosine of the whole comment to "key: description" 0.47-0.49 (best
threshold), maximum over sentences 0.48-0.50; descriptions without the key, maximum over the
comment's sentences, the best theme plus those within 0.07 and above 0.22: 0.61 on the
development half. With codes: one logistic regression per theme on sentence vectors 0.56-0.59;
on all seven layers plus codebook similarities, averaged with the codebook similarities
calibrated on the codes: 0.66 (development half, 49 coded per fold). Also tried for tone: a
logistic regression on the layer means trained on TweetEval, SST-2 and the development half's
comments (weight 10): 0.585 on the development half, no better than the weights.

## What was tried for sentiment

On TweetEval sentiment `val` (macro recall): logistic regression on the last layer's mean 0.58;
on all seven layers 0.60; one MLP head 0.60-0.635 depending on the seed; adding 20,000 SST-2
sentences hurt (0.57: it has no neutral class); 5,000 at weight 0.5 helped slightly; the five-seed
ensemble gave 0.627-0.632. The issue's target of 0.68 is above what published fine-tuning of this
encoder reaches (0.655) and is not met.

## Limits

Tweets are not public comments: tone on long, formal comments is less certain. Sentiment is tone,
never position. The heads read English only; other languages are counted and listed instead.
""")
