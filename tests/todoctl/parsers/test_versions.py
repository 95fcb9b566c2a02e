import pytest

from tests.todoctl import fixture_files
from todoctl.parsers.versions import (
    Version,
    first_line_version,
    helm_version,
    kubectl_client_version,
    minikube_version,
)


@pytest.mark.parametrize(
    ("fixture", "version"),
    [
        ("helm/v3-version.txt", Version(3, 9, 0)),
        ("helm/v4-version.txt", Version(4, 2, 3)),
        ("helm/v4-version-golden.txt", Version(4, 2, 0)),
        ("helm/v3-version-short.txt", Version(3, 0, 0)),
        ("helm/v3-version-template.txt", Version(3, 21, 0)),
        ("helm/v4-version-template.txt", Version(4, 2, 0)),
    ],
)
def test_helm_versions_in_every_format(fixture, version):
    assert helm_version(fixture_files.text(fixture)) == version


@pytest.mark.parametrize(
    ("fixture", "version"),
    [
        ("kubectl/version-client-only-refused.stdout.json", Version(1, 27, 1)),
        ("kubectl/version-client-server-skew-v1.34.json", Version(1, 34, 1)),
    ],
)
def test_kubectl_client_versions(fixture, version):
    assert kubectl_client_version(fixture_files.text(fixture)) == version


def test_kubectl_output_that_is_not_json_is_a_value_error():
    with pytest.raises(ValueError, match="unexpected `kubectl version` output"):
        kubectl_client_version(fixture_files.text("kubectl/version-legacy-text-refused.txt"))


@pytest.mark.parametrize("fixture", ["minikube/version.txt", "minikube/version.json"])
def test_minikube_versions(fixture):
    assert minikube_version(fixture_files.text(fixture)) == Version(1, 26, 1)


def test_k3d_version_is_the_first_line_not_k3s():
    assert first_line_version(fixture_files.text("k3d/version.txt")) == Version(5, 4, 4)


def test_versions_compare_numerically():
    assert Version(4, 0, 0) > Version(3, 21, 4)
    assert str(Version(3, 9)) == "v3.9.0"


def test_no_version_number_is_a_value_error():
    with pytest.raises(ValueError, match="no version number"):
        helm_version("helm: command not found")
