"""`lint`."""

from dataclasses import asdict
from typing import Annotated, Any

import typer

from todoctl.cli.common import JsonOption, SetOption, ValuesOption, begin
from todoctl.errors import ReportedFailure
from todoctl.lint import check_chart
from todoctl.resources import chart_dir
from todoctl.values import load_values_file, merge, parse_sets


def lint(
    ctx: typer.Context,
    *,
    values: ValuesOption = None,
    set_: SetOption = None,
    kube_version: Annotated[
        str | None, typer.Option(help="validate against this Kubernetes version (default: the newest known)")
    ] = None,
    json: JsonOption = False,
) -> None:
    """Lint the chart strictly and check every rendered manifest against Kubernetes' schemas.

    Needs no helm binary (Helm's engine is built in); with one (on PATH, or --helm), `helm lint
    --strict` runs too, on the same values."""
    session = begin(ctx, json)
    output, settings, chart = session.output, session.settings, chart_dir()
    merged: dict[str, Any] = {}
    for path in values or []:
        merged = merge(merged, load_values_file(path))
    merged = merge(merged, parse_sets(set_ or []))
    check = check_chart(
        chart,
        values=merged or None,
        release=settings.release,
        namespace=settings.namespace,
        kube_version=kube_version,
    )
    if session.runner.which(settings.helm):
        check.add_helm_lint(session.local_helm.lint(chart, merged))
    document = {
        "chart": str(chart),
        "passed": check.passed,
        "findings": [asdict(finding) for finding in check.findings],
        "schema_errors": check.schema_errors,
        "manifests": check.manifests,
        "kube_version": check.kube_version,
        "helm_binary": check.helm_binary,
    }

    def render() -> None:
        for finding in check.findings:
            if not finding.is_problem:
                output.detail(str(finding))
        for problem in check.problems:
            output.warn(problem)
        if check.passed:
            engines = "Helm's engine" + (" and helm lint --strict" if check.helm_binary else "")
            output.ok(
                f"chart {chart.name}: {engines} pass; "
                f"{check.manifests} manifests valid for Kubernetes {check.kube_version}"
            )

    output.result(document, render)
    if not check.passed:
        raise ReportedFailure(f"chart {chart.name} does not pass lint")
