"""The chart checked by Helm's real engine and Kubernetes' schemas, with no helm binary."""

import shutil

import pytest

from todoctl.lint import check_chart
from todoctl.resources import chart_dir


@pytest.fixture
def chart_copy(tmp_path):
    copy = tmp_path / "todo"
    shutil.copytree(chart_dir(), copy)
    return copy


def test_the_real_chart_passes_strict_lint_and_every_schema():
    check = check_chart(chart_dir())

    assert check.passed, (check.findings, check.schema_errors)
    assert check.manifests >= 6


def test_the_real_chart_with_the_development_database_passes_too():
    assert check_chart(chart_dir(), values={"devPostgres": {"enabled": True}}).passed


def test_a_template_that_does_not_render_is_an_error(chart_copy):
    (chart_copy / "templates" / "broken.yaml").write_text(
        "kind: ConfigMap\nname: {{ .Values.nope.deeper }}\n"
    )

    check = check_chart(chart_copy)

    assert not check.passed
    assert any(f.severity == "ERROR" and "nil pointer" in f.message for f in check.findings)


def test_a_manifest_kubernetes_would_reject_is_caught(chart_copy):
    (chart_copy / "templates" / "extra.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\ndata:\n  replicas: 3\n"
    )

    check = check_chart(chart_copy)

    assert not check.passed
    assert check.schema_errors == [
        "todo/templates/extra.yaml: ConfigMap extra: data.replicas: 3 is not of type 'string', 'null'"
    ]


def test_an_unknown_kind_is_reported(chart_copy):
    (chart_copy / "templates" / "extra.yaml").write_text(
        "apiVersion: v1\nkind: Gadget\nmetadata:\n  name: g\n"
    )

    check = check_chart(chart_copy)

    assert check.schema_errors == [
        "todo/templates/extra.yaml: Gadget g: Kubernetes 1.37.0 has no 'Gadget' in 'v1'"
    ]


def test_values_that_break_the_values_schema_fail():
    check = check_chart(chart_dir(), values={"aiTodo": {"replicaCount": -1}})

    assert not check.passed
    assert any("replicaCount" in f.message for f in check.findings)
