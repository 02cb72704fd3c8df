"""How fast the pipeline is, on real-length text, against a bare and a naive encoder.

`texts` builds the texts, `speed` times the pipeline (`flask analysis bench`) and `quantization`
compares the int8 encoders with fp32 (`flask analysis quantization`).
"""

from analysis.bench.quantization import run_quantization
from analysis.bench.speed import MODEL, MissingBaseline, run_bench
from analysis.bench.texts import COMMENTS, BenchTexts, bench_texts

__all__ = [
    "COMMENTS",
    "MODEL",
    "BenchTexts",
    "MissingBaseline",
    "bench_texts",
    "run_bench",
    "run_quantization",
]
