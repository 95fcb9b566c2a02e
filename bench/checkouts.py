"""Which sources the services run from: this checkout, or the src/ of another commit, so that one run
can measure both side by side on the same machine, PostgreSQL and load. Both run on this
environment's interpreter and dependencies; only the project's own packages differ."""

import argparse
import io
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Checkout:
    label: str
    # added to each service process's environment
    env: dict[str, str] = field(default_factory=dict)


THIS_CHECKOUT = Checkout("this checkout")


@contextmanager
def checkout_of(ref: str) -> Iterator[Checkout]:
    """The src/ of `ref` (any git revision) unpacked in a temporary directory, put first on the
    services' PYTHONPATH so their packages load from it instead of from this checkout."""
    commit = _git("rev-parse", "--short", f"{ref}^{{commit}}").decode().strip()
    archive = _git("archive", "--format=tar", commit, "src")
    with tempfile.TemporaryDirectory(prefix="todoctl-bench-") as directory:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(directory, filter="data")
        yield Checkout(f"{ref} ({commit})", {"PYTHONPATH": str(Path(directory) / "src")})


def add_against(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--against",
        metavar="REF",
        nargs="+",
        default=[],
        help="also run the src/ of these git revisions; ratios are against the first",
    )


def compared(exit_stack: ExitStack, against: list[str]) -> list[Checkout]:
    """The checkouts a run measures: `--against`'s revisions in the order given (the first is the
    baseline; a chain of commits shows what each one changed), then this one."""
    return [*(exit_stack.enter_context(checkout_of(ref)) for ref in against), THIS_CHECKOUT]


def _git(*args: str) -> bytes:
    return subprocess.run(["git", *args], check=True, capture_output=True).stdout
