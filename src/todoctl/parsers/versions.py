"""Version numbers out of the tools' own `version` outputs, in every format they print them."""

import json
import re
from dataclasses import dataclass

_NUMBERS = re.compile(r"v?(\d+)\.(\d+)(?:\.(\d+))?")


@dataclass(frozen=True, order=True)
class Version:
    major: int
    minor: int
    patch: int = 0

    def __str__(self) -> str:
        return f"v{self.major}.{self.minor}.{self.patch}"


def parse_version(text: str) -> Version:
    """The first `[v]X.Y[.Z]` in `text`; test builds of Helm print only `v4.2`."""
    match = _NUMBERS.search(text)
    if match is None:
        raise ValueError(f"no version number in {text.strip()[:80]!r}")
    major, minor, patch = match.groups()
    return Version(int(major), int(minor), int(patch or 0))


def helm_version(output: str) -> Version:
    """From `helm version --template '{{ .Version }}'`, `--short`, or the full `version.BuildInfo{...}`."""
    build_info = re.search(r'Version:"([^"]*)"', output)
    return parse_version(build_info.group(1) if build_info else output)


def kubectl_client_version(json_output: str) -> Version:
    """From `kubectl version --client -o json`; vendor builds add suffixes such as `-eks-2f008fe`."""
    try:
        document = json.loads(json_output)
        return parse_version(document["clientVersion"]["gitVersion"])
    except (json.JSONDecodeError, KeyError, TypeError) as error:
        raise ValueError(f"unexpected `kubectl version` output: {error}") from None


def minikube_version(output: str) -> Version:
    """From `minikube version` (text) or `minikube version -o json`."""
    try:
        document = json.loads(output)
    except json.JSONDecodeError:
        line = next((item for item in output.splitlines() if "minikube version" in item), output)
        return parse_version(line)
    return parse_version(document["minikubeVersion"])


def first_line_version(output: str) -> Version:
    """kind (`kind v0.20.0 go1.20.4 linux/amd64`) and k3d (`k3d version v5.4.4`, then k3s's line)."""
    return parse_version(output.splitlines()[0] if output.strip() else output)
