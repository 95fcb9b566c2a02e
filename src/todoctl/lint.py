"""Linting the chart with no helm binary: Helm's own Go SDK (embedded by helm-python-sdk) lints and
renders it, and every rendered manifest is checked against Kubernetes' own OpenAPI schemas."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import kubernetes_validate
import yaml
from kubernetes_validate.utils import VersionNotSupportedError

from todoctl.adapters.helm import LintFinding, LintReport
from todoctl.adapters.helm_engine import engine
from todoctl.errors import TodoctlError

_SEVERITIES = {0: "UNKNOWN", 1: "INFO", 2: "WARNING", 3: "ERROR"}


@dataclass
class ChartCheck:
    findings: list[LintFinding] = field(default_factory=list)
    manifests: int = 0
    schema_errors: list[str] = field(default_factory=list)
    kube_version: str = ""
    helm_binary: bool = False  # `helm lint --strict` ran too
    helm_binary_failed: bool = False

    @property
    def passed(self) -> bool:
        return not self.problems and not self.helm_binary_failed

    @property
    def problems(self) -> list[str]:
        return [str(finding) for finding in self.findings if finding.is_problem] + self.schema_errors

    def add_helm_lint(self, report: LintReport) -> None:
        self.findings += report.findings
        self.helm_binary = True
        self.helm_binary_failed = not report.passed


def check_chart(
    chart: Path,
    *,
    values: dict[str, Any] | None = None,
    release: str = "todo",
    namespace: str = "default",
    kube_version: str | None = None,
) -> ChartCheck:
    helm = engine()
    kube_version = kube_version or kubernetes_validate.latest_version()
    try:
        kubernetes_validate.validate({"apiVersion": "v1", "kind": "Namespace", "metadata": {}}, kube_version)
    except VersionNotSupportedError:
        raise TodoctlError(
            f"no Kubernetes schemas for version {kube_version}",
            hint=f"use --kube-version {kubernetes_validate.latest_version()} or older",
        ) from None
    try:
        report = helm.lint(chart, values, strict=True, namespace=namespace)
    except helm.HelmError as error:
        raise TodoctlError(f"Helm could not lint {chart}: {error}") from None
    check = ChartCheck(
        findings=[
            LintFinding(_SEVERITIES.get(item["severity"], "UNKNOWN"), item["path"], item["error"])
            for item in report["messages"]
        ],
        kube_version=kube_version,
    )
    if any(f.severity == "ERROR" for f in check.findings):
        return check  # a chart that does not lint does not render either
    try:
        rendered = helm.Chart.load(chart).render(values, name=release, namespace=namespace, is_install=True)
    except helm.HelmError as error:
        check.schema_errors.append(f"the chart does not render: {error}")
        return check
    for source, document in _documents(rendered):
        check.manifests += 1
        problem = _schema_problem(document, kube_version)
        if problem:
            check.schema_errors.append(f"{source}: {problem}")
    return check


def _documents(rendered: dict[str, str]) -> Iterator[tuple[str, dict[str, Any]]]:
    for source, text in sorted(rendered.items()):
        if not source.endswith((".yaml", ".yml")):
            continue  # NOTES.txt and friends
        for document in yaml.safe_load_all(text):
            if document:
                yield source, document


def _schema_problem(document: dict[str, Any], kube_version: str) -> str | None:
    name = f"{document.get('kind', '?')} {document.get('metadata', {}).get('name', '?')}"
    try:
        kubernetes_validate.validate(document, kube_version, strict=True)
    except kubernetes_validate.ValidationError as error:
        where = ".".join(str(part) for part in error.absolute_path) or "(top level)"
        return f"{name}: {where}: {error.message}"
    except kubernetes_validate.SchemaNotFoundError:
        api_version = document.get("apiVersion")
        return f"{name}: Kubernetes {kube_version} has no {document.get('kind')!r} in {api_version!r}"
    return None
