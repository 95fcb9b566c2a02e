from importlib.metadata import requires
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from todoctl.build_context import assemble_context, service_requirements
from todoctl.components import SERVICES
from todoctl.errors import TodoctlError


def _base_dependencies() -> set[str]:
    return {line for line in requires("todoctl") or [] if "extra ==" not in line}


@pytest.mark.parametrize("service", [item.label for item in SERVICES])
def test_each_image_requirement_is_one_of_the_base_dependencies(service: str) -> None:
    base = {(r.name, str(r.specifier)) for r in map(Requirement, _base_dependencies())}
    for line in service_requirements(service):
        requirement = Requirement(line)
        assert (requirement.name, str(requirement.specifier)) in base, line
        assert requirement.marker is None


def test_only_the_chat_image_carries_the_agents_sdk() -> None:
    names = {
        service: {Requirement(line).name for line in service_requirements(service)}
        for service in (item.label for item in SERVICES)
    }
    assert "openai-agents" in names["ai-todo"]
    assert "openai-agents" not in names["mcp-server"]
    assert not {"typer", "docker", "kubernetes", "pyhelm3"} & (names["ai-todo"] | names["mcp-server"])


def test_unknown_service_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown service"):
        service_requirements("redis")


def test_context_holds_sources_requirements_dockerfiles_and_an_empty_certs_dir(tmp_path: Path) -> None:
    context = assemble_context(tmp_path / "context")
    assert {p.name for p in (context / "src").iterdir()} == {"todo_core", "mcp_server", "ai_todo"}
    assert sorted(p.name for p in (context / "requirements").iterdir()) == ["ai-todo.txt", "mcp-server.txt"]
    assert (context / "dockerfiles" / "ai-todo.Dockerfile").is_file()
    assert "__pycache__" in (context / ".dockerignore").read_text()
    assert list((context / "certs").iterdir()) == []


def test_an_extra_ca_lands_in_certs(tmp_path: Path) -> None:
    ca = tmp_path / "proxy.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
    context = assemble_context(tmp_path / "context", ca_cert=ca)
    assert (context / "certs" / "extra-ca.crt").read_text() == ca.read_text()


@pytest.mark.parametrize("content", ["not a certificate", "", "-----BEGIN PRIVATE KEY-----\nx\n"])
def test_a_file_that_is_not_a_pem_certificate_is_refused(tmp_path: Path, content: str) -> None:
    bogus = tmp_path / "bogus.pem"
    bogus.write_text(content)
    with pytest.raises(TodoctlError, match="is not a PEM certificate"):
        assemble_context(tmp_path / "context", ca_cert=bogus)


def test_a_missing_ca_file_is_refused_with_its_path(tmp_path: Path) -> None:
    with pytest.raises(TodoctlError, match="cannot read the CA certificate"):
        assemble_context(tmp_path / "context", ca_cert=tmp_path / "nope.pem")
