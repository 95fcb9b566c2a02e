"""Summaries the benchmark scripts print."""

import statistics


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def describe_ms(samples_seconds: list[float]) -> str:
    ms = [s * 1000 for s in samples_seconds]
    return (
        f"n={len(ms)} median={statistics.median(ms):.2f} ms p95={percentile(ms, 0.95):.2f} ms "
        f"min={min(ms):.2f} ms max={max(ms):.2f} ms"
    )
