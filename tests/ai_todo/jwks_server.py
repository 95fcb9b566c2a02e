"""A real JWKS endpoint on localhost, and signing keys of the kinds Better Auth uses."""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from jwt.algorithms import ECAlgorithm, OKPAlgorithm, RSAAlgorithm

from tests.support.json_http import JsonRequest, serving_json


@dataclass
class SigningKey:
    kid: str
    algorithm: str
    private_key: Any
    jwk: dict[str, Any]

    def sign(self, claims: dict[str, Any], **headers: Any) -> str:
        return jwt.encode(
            claims, self.private_key, algorithm=self.algorithm, headers={"kid": self.kid, **headers}
        )


def signing_key(algorithm: str, kid: str) -> SigningKey:
    if algorithm == "EdDSA":
        private: Any = ed25519.Ed25519PrivateKey.generate()
        public_jwk = OKPAlgorithm.to_jwk(private.public_key(), as_dict=True)
    elif algorithm == "RS256":
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        public_jwk = RSAAlgorithm.to_jwk(private.public_key(), as_dict=True)
    elif algorithm == "ES256":
        private = ec.generate_private_key(ec.SECP256R1())
        public_jwk = ECAlgorithm.to_jwk(private.public_key(), as_dict=True)
    else:
        raise ValueError(algorithm)
    return SigningKey(kid, algorithm, private, {**public_jwk, "kid": kid, "alg": algorithm, "use": "sig"})


def claims(subject: str, *, ttl: int = 600, **extra: Any) -> dict[str, Any]:
    now = int(time.time())
    return {"sub": subject, "iat": now, "exp": now + ttl, **extra}


@dataclass
class JwksServer:
    """Serves `keys` as a JWKS document; counts fetches; `status` other than 200 makes it fail."""

    url: str = ""
    keys: list[dict[str, Any]] = field(default_factory=list)
    status: int = 200
    fetches: int = 0


@contextmanager
def serving_jwks(*keys: SigningKey) -> Iterator[JwksServer]:
    state = JwksServer(keys=[key.jwk for key in keys])

    def respond(_: JsonRequest) -> tuple[int, Any]:
        state.fetches += 1
        return state.status, {"keys": state.keys}

    with serving_json(respond) as base_url:
        state.url = f"{base_url}/api/auth/jwks"
        yield state
