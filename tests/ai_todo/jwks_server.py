"""A real JWKS endpoint on localhost, and signing keys of the kinds Better Auth uses."""

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from jwt.algorithms import ECAlgorithm, OKPAlgorithm, RSAAlgorithm


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

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.fetches += 1
            body = json.dumps({"keys": state.keys}).encode()
            self.send_response(state.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: test output is not the place for access logs."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/api/auth/jwks"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
