"""Tokens for the deployed chat: minted with the HS256 secret the release's pods verify them with.

The secret is read from the Secret that the ai-todo Deployment's `envFrom` names, so it works for the
chart's own Secret and for an `existingSecret` alike; issuer and audience come from its ConfigMap.
"""

from todo_core.tokens import DEFAULT_TTL_SECONDS, mint_token
from todoctl.adapters.kube import Kube
from todoctl.components import AI_TODO
from todoctl.errors import TodoctlError


def cluster_token(
    kube: Kube, release: str, user_id: str, *, ttl_seconds: int = DEFAULT_TTL_SECONDS
) -> str | None:
    """A token for `user_id`, or None when the release verifies tokens against a JWKS instead."""
    deployments = kube.deployments(AI_TODO.selector(release))
    if not deployments:
        raise TodoctlError(
            f"release {release} has no ai-todo deployment in namespace {kube.namespace}",
            hint="deploy it with `todoctl deploy`, or pass the right --namespace/--release",
        )
    secrets: list[str] = []
    config_maps: list[str] = []
    for container in deployments[0].spec.template.spec.containers:
        for source in container.env_from or []:
            if source.secret_ref is not None:
                secrets.append(source.secret_ref.name)
            if source.config_map_ref is not None:
                config_maps.append(source.config_map_ref.name)
    secret = next((value for name in secrets if (value := kube.secret_value(name, "AUTH_JWT_SECRET"))), None)
    if secret is None:
        return None
    settings: dict[str, str] = {}
    for name in config_maps:
        settings.update(kube.config_map_data(name))
    return mint_token(
        secret,
        user_id,
        ttl_seconds=ttl_seconds,
        issuer=settings.get("AUTH_ISSUER") or None,
        audience=settings.get("AUTH_AUDIENCE") or None,
    )
