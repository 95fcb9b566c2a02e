"""Helm's own Go SDK, embedded by helm-python-sdk: lint, render and --set parsing with no binary."""

from types import ModuleType

from todoctl.errors import TodoctlError


def engine() -> ModuleType:
    """The `helm_python` module, imported on first use: it loads a native library, which a command
    that never lints or parses --set should neither pay for nor fail on."""
    try:
        import helm_python  # noqa: PLC0415 - see the docstring
    except (ImportError, OSError) as error:
        raise TodoctlError(
            f"the embedded Helm engine does not load on this machine: {error}",
            hint="install a helm binary; `todoctl lint` then uses `helm lint --strict`",
        ) from None
    return helm_python
