"""Every rendered object against Kubernetes' own schemas (kubernetes-validate --strict): no unknown
field, no wrong type, for the oldest Kubernetes the chart supports, 1.30, and the newest bundled."""

import copy

import kubernetes_validate
import pytest
from kubernetes_validate.utils import latest_version

from tests.chart.rendering import chart
from tests.chart.scenarios import SCENARIOS, Scenario

MINIMUM = chart().metadata["kubeVersion"].removeprefix(">=").removesuffix("-0")
VERSIONS = sorted({MINIMUM, "1.30.0", latest_version()}, key=lambda v: tuple(map(int, v.split("."))))


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("scenario", SCENARIOS.values(), ids=SCENARIOS.keys())
def test_every_object_is_valid_kubernetes(scenario: Scenario, version: str) -> None:
    rendered = scenario.render()
    failures = []
    for manifest in rendered.manifests:
        try:
            kubernetes_validate.validate(manifest, version, strict=True)
        except kubernetes_validate.ValidationError as error:
            failures.append(f"{manifest['kind']}/{manifest['metadata']['name']}: {error.message}")

    assert failures == []


def test_strict_validation_rejects_a_field_kubernetes_does_not_know() -> None:
    deployment = copy.deepcopy(SCENARIOS["defaults"].render().component("Deployment", "ai-todo"))
    deployment["spec"]["template"]["spec"]["containers"][0]["imagePullPolcy"] = "IfNotPresent"

    with pytest.raises(kubernetes_validate.ValidationError, match="imagePullPolcy"):
        kubernetes_validate.validate(deployment, latest_version(), strict=True)
