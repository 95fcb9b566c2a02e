from pathlib import Path

import pytest

from todoctl.errors import ConfigError
from todoctl.settings import Settings, resolve


def test_defaults_without_flags_or_project_file(tmp_path):
    assert resolve({}, tmp_path) == Settings()


def test_the_project_file_fills_what_flags_leave_open(tmp_path):
    (tmp_path / "todoctl.toml").write_text('context = "kind-dev"\ntimeout = 600\n')
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)

    settings = resolve({"namespace": "todo", "timeout": None}, nested)

    assert (settings.context, settings.namespace, settings.timeout) == ("kind-dev", "todo", 600)
    assert settings.project_file == tmp_path / "todoctl.toml"


def test_a_boolean_is_not_a_timeout(tmp_path):
    Path(tmp_path / "todoctl.toml").write_text("timeout = true\n")

    with pytest.raises(ConfigError, match="timeout must be a whole number of seconds"):
        resolve({}, tmp_path)
