import pytest

from todoctl.errors import ConfigError
from todoctl.values import compose, load_values_file, merge, parse_sets, secrets_from


def test_merge_coalesces_maps_replaces_lists_and_null_deletes():
    base = {
        "aiTodo": {"replicaCount": 2, "resources": {"limits": {"cpu": "1"}}},
        "imagePullSecrets": [{"name": "a"}],
    }
    override = {"aiTodo": {"replicaCount": 3, "resources": None}, "imagePullSecrets": [{"name": "b"}]}

    assert merge(base, override) == {"aiTodo": {"replicaCount": 3}, "imagePullSecrets": [{"name": "b"}]}
    assert base["aiTodo"]["replicaCount"] == 2


def test_sets_use_helms_own_syntax():
    assert parse_sets(["aiTodo.replicaCount=3,config.logLevel=DEBUG", "imagePullSecrets[0].name=reg"]) == {
        "aiTodo": {"replicaCount": 3},
        "config": {"logLevel": "DEBUG"},
        "imagePullSecrets": [{"name": "reg"}],
    }


def test_precedence_is_images_then_secrets_then_files_then_sets(tmp_path):
    values_file = tmp_path / "values.yaml"
    values_file.write_text("aiTodo:\n  image:\n    tag: from-file\nsecrets:\n  openaiApiKey: from-file\n")

    composed = compose(
        images={"ai-todo": "todoctl/ai-todo:built"},
        secrets={"OPENAI_API_KEY": "from-env", "DATABASE_URL": "postgresql+psycopg://db/todo"},
        files=[values_file],
        sets=["aiTodo.image.tag=from-set"],
    )

    assert composed.values["aiTodo"]["image"] == {"repository": "todoctl/ai-todo", "tag": "from-set"}
    assert composed.values["secrets"]["openaiApiKey"] == "from-file"
    assert composed.secret_names == ["DATABASE_URL", "OPENAI_API_KEY"]
    assert "devPostgres" not in composed.values


@pytest.mark.parametrize(
    "given",
    [
        {"sets": ["existingSecret=todo-prod"]},
        {"sets": ["devPostgres.enabled=false"]},
        {"dev_postgres": False},
    ],
)
def test_the_development_database_stays_off_when_told_or_not_needed(given):
    composed = compose(images={}, secrets={}, **given)

    assert composed.values.get("devPostgres", {}).get("enabled") in (None, False)
    assert composed.notes == []


def test_secrets_from_an_env_file_and_the_environment_which_wins(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("DATABASE_URL=postgresql+psycopg://file/todo\nOPENAI_API_KEY=sk-file\nPATH=/evil\n")

    found = secrets_from({"OPENAI_API_KEY": "sk-env", "HOME": "/root"}, env_file)

    assert found == {"DATABASE_URL": "postgresql+psycopg://file/todo", "OPENAI_API_KEY": "sk-env"}


def test_a_missing_env_file_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        secrets_from({}, tmp_path / "nope.env")


def test_a_huge_values_file_is_refused_unread(tmp_path):
    huge = tmp_path / "huge.yaml"
    huge.write_text("a: " + "x" * 1_100_000)

    with pytest.raises(ConfigError, match="larger than 1 MB"):
        load_values_file(huge)


def test_a_values_file_that_is_not_yaml_names_the_problem(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("aiTodo: [unclosed\n")

    with pytest.raises(ConfigError, match="is not valid YAML"):
        load_values_file(broken)
