"""`--help` of todoctl and of every command: it renders, lists the commands in order, and has the
conventional look (a flag shows no metavar, a value TEXT, INTEGER or PATH)."""

import re

import pytest
from typer.testing import CliRunner

from todoctl.cli.app import COMMANDS, app

NAMES = [command.__name__.replace("_", "-") for command in COMMANDS]
TYPER_METAVAR = re.compile(r"<(bool|str|int|float|path|list\[[a-z]+\])>")


def help_of(*args: str) -> str:
    result = CliRunner().invoke(app, [*args, "--help"], env={"COLUMNS": "200", "NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    return result.output


def option_row(text: str, option: str) -> str:
    return next(line for line in text.splitlines() if re.search(rf"│ +{option}\b", line))


@pytest.mark.parametrize("command", NAMES)
def test_every_command_has_help_in_the_conventional_look(command: str) -> None:
    text = help_of(command)

    assert "Usage:" in text
    assert not TYPER_METAVAR.search(text)
    assert re.search(r"--help +Show this message", text)


def test_the_registry_help_shows_its_brackets_instead_of_reading_them_as_markup() -> None:
    for command in ("doctor", "load", "deploy", "up"):
        assert "HOST[:PORT][/PATH] this machine pushes" in help_of(command)


def test_flags_take_no_metavar_and_values_show_their_kind() -> None:
    text = help_of("build")

    assert re.search(r"--dry-run +assemble the context", option_row(text, "--dry-run"))
    assert re.search(r"--tag +TEXT +image tag", option_row(text, "--tag"))
    assert re.search(r"--ca-cert +PATH +a PEM CA", option_row(text, "--ca-cert"))
    assert re.search(r"image +TEXT +ai-todo, mcp", text)
    assert "[OPTIONS] [image]" in text
    assert re.search(r"--port +INTEGER \[1<=x<=65535\]", help_of("forward"))
    assert re.search(r"--values +-f +PATH", help_of("lint"))


def test_the_main_help_lists_every_command_in_the_table_order() -> None:
    text = help_of()

    listed = [name for line in text.splitlines() if (name := _command_in(line)) in NAMES]
    assert listed == NAMES
    assert not TYPER_METAVAR.search(text)
    assert re.search(r"--json +print one JSON", option_row(text, "--json"))
    assert re.search(r"--timeout +INTEGER +seconds", option_row(text, "--timeout"))


def _command_in(line: str) -> str | None:
    found = re.match(r"│ ([a-z-]+) ", line)
    return found.group(1) if found else None
