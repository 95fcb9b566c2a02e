"""The one exception family: a one-line cause and, where there is one, the exact fix.

The CLI edge prints `message`, then `details` (evidence such as pod events or log lines), then `hint`,
and exits with `exit_code`; no traceback unless `--verbose`.
"""

from collections.abc import Sequence


class TodoctlError(Exception):
    exit_code = 1

    def __init__(self, message: str, hint: str | None = None, details: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.details = list(details)


class ReportedFailure(TodoctlError):
    """The command's result already shows what failed (a lint, a doctor, a validation): the edge
    adds a one-line verdict and the exit code, but no second JSON document."""


class ConfigError(TodoctlError):
    """Bad flags, environment, project file or values: nothing was changed."""

    exit_code = 2


class ToolNotFound(TodoctlError):
    """A program todoctl needs (helm, kubectl, minikube, ...) is not on PATH."""


class CommandFailed(TodoctlError):
    """An external program exited non-zero; carries what it said."""

    def __init__(
        self,
        message: str,
        hint: str | None = None,
        *,
        argv: Sequence[str] = (),
        returncode: int | None = None,
        stdout: str = "",
        stderr: str = "",
        details: Sequence[str] = (),
    ) -> None:
        super().__init__(message, hint, details)
        self.argv = list(argv)
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr


class CommandTimedOut(CommandFailed):
    pass


class ClusterUnreachable(CommandFailed):
    pass


class ReleaseNotFound(CommandFailed):
    pass


class AnotherOperationInProgress(CommandFailed):
    pass


class RolloutTimedOut(CommandFailed):
    """Helm gave up waiting; `rolled_back` says whether the release was restored (or removed)."""

    rolled_back = False


class ClusterNotRunning(CommandFailed):
    """The local cluster (minikube, kind, k3d) is stopped, paused or missing."""


class ImageLoadFailed(CommandFailed):
    pass


class ImagePushFailed(TodoctlError):
    """The registry refused an image, or the push stream ended without its digest."""


class RolloutFailed(TodoctlError):
    """The release did not become ready; `details` say why, pod by pod."""


class DockerUnavailable(TodoctlError):
    pass


class BuildFailed(TodoctlError):
    pass
