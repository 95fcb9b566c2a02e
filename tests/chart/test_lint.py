"""`helm lint --strict` by the real Helm engine: no message of warning severity or worse."""

import helm_python
import pytest

from tests.chart.rendering import CHART_DIR
from tests.chart.scenarios import SCENARIOS, Scenario

WARNING = 2


def problems(report: dict) -> list[str]:
    # The report's `errors` list misses warnings; severity says what each message is.
    found = [f"{m['path']}: {m['error']}" for m in report["messages"] if m["severity"] >= WARNING]
    return found + report["errors"]


@pytest.mark.parametrize("scenario", SCENARIOS.values(), ids=SCENARIOS.keys())
def test_strict_lint_finds_nothing(scenario: Scenario) -> None:
    report = helm_python.lint(CHART_DIR, scenario.values, strict=True, namespace=scenario.namespace)

    assert problems(report) == []


# Lint flags APIs that the given Kubernetes version deprecates or removed.
@pytest.mark.parametrize("kube_version", ["v1.28.0", "v1.30.0", "v1.37.0"])
def test_strict_lint_finds_nothing_on_supported_kubernetes(kube_version: str) -> None:
    report = helm_python.lint(CHART_DIR, strict=True, kube_version=kube_version)

    assert problems(report) == []


def test_lint_reports_a_values_typo() -> None:
    report = helm_python.lint(CHART_DIR, {"aiTodo": {"replicas": 3}}, strict=True)

    assert any("replicas" in problem for problem in problems(report))
