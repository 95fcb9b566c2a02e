"""Summaries the benchmark scripts print."""

import math
import statistics


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def describe_ms(samples_seconds: list[float]) -> str:
    if not samples_seconds:
        return "n=0"
    ms = [s * 1000 for s in samples_seconds]
    return (
        f"n={len(ms)} median={statistics.median(ms):.2f} ms p95={percentile(ms, 0.95):.2f} ms "
        f"p99={percentile(ms, 0.99):.2f} ms min={min(ms):.2f} ms max={max(ms):.2f} ms"
    )


def median_ms(samples_seconds: list[float]) -> float:
    return statistics.median(samples_seconds) * 1000 if samples_seconds else float("nan")


def percentile_ms(samples_seconds: list[float], fraction: float) -> float:
    return percentile(samples_seconds, fraction) * 1000 if samples_seconds else float("nan")


def ratio(new: float, old: float) -> str:
    """`new` as a multiple of `old`, as the side-by-side tables print it."""
    if not old or math.isnan(old) or math.isnan(new):
        return "-"
    return f"{new / old:.2f}x"
