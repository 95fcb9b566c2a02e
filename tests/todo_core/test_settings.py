import pytest
from pydantic import ValidationError

from todo_core.settings import ServiceSettings, describe


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u@db:5432/todo")
    monkeypatch.setenv("PORT", "9000")
    monkeypatch.setenv("LOG_LEVEL", "DEBUG")
    settings = ServiceSettings()
    assert (settings.database_url, settings.port, settings.log_level) == (
        "postgresql+psycopg://u@db:5432/todo",
        9000,
        "DEBUG",
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PORT", "0"),
        ("PORT", "70000"),
        ("PORT", "eighty"),
        ("LOG_LEVEL", "LOUD"),
        ("SHUTDOWN_DELAY_SECONDS", "-1"),
    ],
)
def test_bad_values_are_refused_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError, match=name.lower()):
        ServiceSettings()


PASSWORD = "hunter2-s3cret"


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://u@db:5432/todo",
        f"postgresql://u:{PASSWORD}@db.example.com/todo?sslmode=require",
        f"postgres://u:{PASSWORD}@db/todo",
        "postgresql:///todo",
        "sqlite:///./todo.db",
        "sqlite://",
    ],
)
def test_every_documented_database_url_form_is_taken(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("DATABASE_URL", url)
    assert ServiceSettings().database_url == url


def test_a_missing_or_empty_database_url_is_the_local_sqlite_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert ServiceSettings().database_url == "sqlite:///./todo.db"
    monkeypatch.setenv("DATABASE_URL", "")
    assert ServiceSettings().database_url == "sqlite:///./todo.db"


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("nonsense", "not a database URL"),
        ("postgresql://", "names no host and no database"),
        (f"postgresql://u:{PASSWORD}@db:port/todo", "not a database URL"),
        (f"postgresql://u:{PASSWORD}@[::1/todo", "not a database URL"),
        (f"mysql://u:{PASSWORD}@db/todo", "unsupported scheme 'mysql'"),
        (f"http://u:{PASSWORD}@db/todo", "unsupported scheme 'http'"),
        (f"postgresql://u:{PASSWORD}@db/" + "x" * 5000, "longer than 4096 characters"),
        (f"postgresql://u:{PASSWORD}@db/todo\n<script>alert(1)</script>", "contains control characters"),
        (f"postgresql://u:{PASSWORD}@db/todo\x1b[2J", "contains control characters"),
        ("'; DROP TABLE task; --", "not a database URL"),
    ],
    ids=[
        "word",
        "scheme-only",
        "bad-port",
        "bad-ipv6",
        "mysql",
        "http",
        "huge",
        "newline-and-markup",
        "terminal-escape",
        "sql",
    ],
)
def test_a_bad_database_url_is_refused_in_one_line_without_echoing_it(
    monkeypatch: pytest.MonkeyPatch, url: str, reason: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", url)
    with pytest.raises(ValidationError) as raised:
        ServiceSettings()

    [line] = describe(raised.value).splitlines()
    assert line.startswith(f"  DATABASE_URL: {reason}; expected postgresql://")
    assert "sqlite:///" in line
    assert PASSWORD not in str(raised.value)
    assert "DROP" not in str(raised.value)
