"""Where the chart and the Dockerfiles are: inside the installed wheel, or in a source checkout."""

from pathlib import Path

from todoctl.errors import TodoctlError

# The wheel carries them here (see pyproject's force-include); a checkout has them at its root.
_PACKAGED = Path(__file__).resolve().parent / "_bundle"
_CHECKOUT = Path(__file__).resolve().parents[2]


def bundle_root() -> Path:
    for root in (_PACKAGED, _CHECKOUT):
        if (root / "charts" / "todo" / "Chart.yaml").is_file() and (root / "dockerfiles").is_dir():
            return root
    raise TodoctlError(
        "the Helm chart and Dockerfiles are missing from this installation",
        hint="reinstall todoctl from its wheel or run it from a source checkout",
    )


def chart_dir() -> Path:
    return bundle_root() / "charts" / "todo"


def dockerfiles_dir() -> Path:
    return bundle_root() / "dockerfiles"
