"""The `#token=` links of `todoctl dev` and `forward` land in the browser's history database, so the
token they carry should stop working soon: an hour by default (it was 12), `--token-minutes` to choose."""

import jwt
import pytest
from typer.testing import CliRunner

from todo_core.tokens import DEFAULT_TTL_SECONDS, mint_token
from todoctl.cli.app import app

SECRET = "link-token-tests-" + "s" * 32


def lifetime(token: str) -> int:
    claims = jwt.decode(token, SECRET, algorithms=["HS256"])
    return claims["exp"] - claims["iat"]


def test_a_minted_token_lives_an_hour_unless_told_otherwise() -> None:
    assert DEFAULT_TTL_SECONDS == 3600
    assert lifetime(mint_token(SECRET, "alice")) == 3600
    assert lifetime(mint_token(SECRET, "alice", ttl_seconds=300)) == 300


@pytest.mark.parametrize("command", ["dev", "forward"])
def test_the_link_commands_take_the_lifetime_in_minutes_up_to_a_day(command: str) -> None:
    help_text = CliRunner().invoke(app, [command, "--help"], env={"COLUMNS": "200"}).stdout

    assert "--token-minutes" in help_text
    assert "1<=x<=1440" in help_text
    assert "default: 60" in help_text


@pytest.mark.parametrize("minutes", ["0", "1441", "soon"])
@pytest.mark.parametrize("command", ["dev", "forward"])
def test_a_lifetime_out_of_range_is_refused_before_anything_starts(command: str, minutes: str) -> None:
    result = CliRunner().invoke(app, [command, "--token-minutes", minutes])

    assert result.exit_code == 2
