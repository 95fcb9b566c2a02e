"""The one Rich console of a todoctl run, and the `--json` switch.

With `--json`, stdout carries exactly one JSON document (the command's result, or its error) and
everything meant for people goes to stderr, so `todoctl status --json | jq` always works.
"""

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.markup import escape

from todoctl.errors import ReportedFailure, TodoctlError


class Output:
    def __init__(self, *, json_mode: bool = False, verbose: bool = False) -> None:
        self.verbose = verbose
        self.console = Console(stderr=json_mode, highlight=False, soft_wrap=True)
        self._json_mode = json_mode

    @property
    def json_mode(self) -> bool:
        return self._json_mode

    @json_mode.setter
    def json_mode(self, enabled: bool) -> None:
        # `todoctl status --json` as well as `todoctl --json status`
        self._json_mode = enabled
        self.console.stderr = enabled

    def info(self, message: str) -> None:
        self.console.print(escape(message))

    def ok(self, message: str) -> None:
        self.console.print(f"[green]✓[/green] {escape(message)}")

    def warn(self, message: str) -> None:
        self.console.print(f"[yellow]![/yellow] {escape(message)}")

    def fail(self, message: str) -> None:
        self.console.print(f"[red]✗[/red] {escape(message)}")

    def detail(self, message: str) -> None:
        if self.verbose:
            self.console.print(f"[dim]{escape(message)}[/dim]")

    @contextmanager
    def status(self, message: str) -> Iterator[Callable[[str], None]]:
        """A spinner while long work runs; yields a function that updates its text."""
        with self.console.status(escape(message)) as spinner:
            yield lambda text: spinner.update(escape(text))

    def result(self, data: dict[str, Any], render: Callable[[], None] | None = None) -> None:
        if self.json_mode:
            sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")
            sys.stdout.flush()
        elif render is not None:
            render()

    def error(self, error: TodoctlError) -> None:
        if self.json_mode and not isinstance(error, ReportedFailure):
            self.result({"error": error.message, "hint": error.hint, "details": error.details})
        self.console.print(f"[red]✗[/red] {escape(error.message)}")
        for line in error.details:
            self.console.print(f"  {escape(line)}")
        if error.hint:
            self.console.print(f"  [bold]fix:[/bold] {escape(error.hint)}")
