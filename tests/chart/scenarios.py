"""Values the chart must render well: the defaults, the two example files, and edge cases."""

from dataclasses import dataclass, field
from typing import Any

from tests.chart.rendering import Rendered, render, values_file

A_DATABASE_URL = "postgresql+psycopg://todo:secret@db.example.com:5432/todo"
# Helm allows release names of up to 53 characters.
LONGEST_RELEASE_NAME = "long-release-name-" + "x" * 35


@dataclass(frozen=True)
class Scenario:
    values: dict[str, Any] = field(default_factory=dict)
    release: str = "todo"
    namespace: str = "todo-test"
    # Whether the rendered objects alone give the pods their whole environment; not so without a
    # database (the pods would wait for DATABASE_URL) or with a Secret made outside the chart.
    self_contained: bool = True

    def render(self) -> Rendered:
        return render(self.values, release=self.release, namespace=self.namespace)


SCENARIOS: dict[str, Scenario] = {
    "defaults": Scenario(self_contained=False),
    "dev-example": Scenario(values_file("values-dev.yaml")),
    "prod-example": Scenario(values_file("values-prod.yaml"), namespace="production", self_contained=False),
    "external-database": Scenario({"secrets": {"databaseUrl": A_DATABASE_URL}}),
    # Neon hands out plain postgresql:// URLs; the services map them to psycopg 3 themselves.
    "neon-style-url": Scenario(
        {
            "secrets": {
                "databaseUrl": "postgresql://todo:secret@ep-cool-1.eu-central-1.aws.neon.tech/todo?sslmode=require"
            }
        }
    ),
    "second-release": Scenario({"devPostgres": {"enabled": True}}, release="staging", namespace="staging"),
    "longest-release-name": Scenario({"devPostgres": {"enabled": True}}, release=LONGEST_RELEASE_NAME),
    "nodeport-chosen-by-kubernetes": Scenario(
        {"aiTodo": {"service": {"type": "NodePort", "nodePort": None}}, "devPostgres": {"enabled": True}}
    ),
    "load-balancer": Scenario(
        {"aiTodo": {"service": {"type": "LoadBalancer"}}, "secrets": {"databaseUrl": A_DATABASE_URL}}
    ),
    "jwks-only": Scenario(
        {
            "config": {
                "authJwksUrl": "https://auth.example.com/api/auth/jwks",
                "authIssuer": "https://auth.example.com",
                "authAudience": "todo",
            },
            "secrets": {"databaseUrl": A_DATABASE_URL},
        }
    ),
    "existing-secret": Scenario({"existingSecret": "todo-from-vault"}, self_contained=False),
    "scaled-to-zero": Scenario(
        {"aiTodo": {"replicaCount": 0}, "mcpServer": {"replicaCount": 0}, "devPostgres": {"enabled": True}}
    ),
    "everything-set": Scenario(
        {
            "aiTodo": {
                "replicaCount": 5,
                "image": {
                    "repository": "registry.example.com/ai-todo",
                    "tag": "build-7",
                    "pullPolicy": "Always",
                },
                "service": {"type": "NodePort", "port": 80, "nodePort": 31000},
                "podAnnotations": {"prometheus.io/scrape": "true"},
            },
            "mcpServer": {
                "replicaCount": 4,
                "image": {"repository": "registry.example.com/mcp-server", "tag": "build-7"},
                "service": {"port": 9001},
                "podAnnotations": {"sidecar.istio.io/inject": "false"},
            },
            "config": {
                "logLevel": "WARNING",
                "openaiModel": "gpt-4.1",
                "openaiBaseUrl": "http://llm.internal:8080/v1",
                "authIssuer": "todo-issuer",
                "authAudience": "todo-audience",
            },
            "shutdown": {"delaySeconds": 2.5, "drainSeconds": 45},
            "secrets": {
                "databaseUrl": A_DATABASE_URL,
                "openaiApiKey": "sk-test",
                "authJwtSecret": "a-jwt-secret-of-at-least-32-characters",
                "mcpAuthToken": "an-mcp-token",
            },
            "imagePullSecrets": [{"name": "registry-credentials"}],
        }
    ),
}

SELF_CONTAINED = {name: scenario for name, scenario in SCENARIOS.items() if scenario.self_contained}
