"""Firebase at the network edge, on a loopback port: the public certificates of a locally generated
RSA key (served as Google serves them, with Cache-Control), an OAuth token endpoint for a throwaway
service account, and the Identity Toolkit endpoints firebase-admin calls (`accounts:lookup` for
`get_user` and revocation checks, `accounts:update` for custom claims and `revoke_refresh_tokens`,
`accounts:delete` for `delete_user`). `mint` signs ID tokens with PyJWT as Firebase would.

    with running_firebase() as firebase:
        settings = firebase_settings("server", firebase, tmp_path, schema)  # dev tokens off
        token = firebase.mint("alice", role="trainer")
        firebase.account("alice").valid_since = int(time.time())  # her sessions revoked
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
import urllib.parse
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from infrastructure.razorpay.sandbox import LoopbackServer
from infrastructure.settings import Settings
from tests.support import server_settings

PROJECT = "gymgenius-test"


@dataclass(frozen=True)
class SigningKey:
    """An RSA key, its `kid`, and a self-signed X.509 certificate of its public half."""

    kid: str
    private: rsa.RSAPrivateKey
    certificate: str

    @classmethod
    def generate(cls, kid: str | None = None) -> SigningKey:
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "securetoken.system.gserviceaccount.com")])
        now = datetime.now(UTC)
        cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                .public_key(private.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=30))
                .sign(private, hashes.SHA256()))
        pem = cert.public_bytes(serialization.Encoding.PEM).decode()
        return cls(kid or uuid.uuid4().hex, private, pem)

    def private_pem(self) -> str:
        return self.private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()).decode()

    def public_pem(self) -> bytes:
        return self.private.public_key().public_bytes(serialization.Encoding.PEM,
                                                      serialization.PublicFormat.SubjectPublicKeyInfo)


@dataclass
class Account:
    """A Firebase user as Identity Toolkit holds it."""

    uid: str
    claims: dict[str, Any] = field(default_factory=dict)
    valid_since: int = 0  # seconds; tokens issued before it are revoked
    disabled: bool = False

    def record(self) -> dict[str, Any]:
        record = {"localId": self.uid, "disabled": self.disabled, "validSince": str(self.valid_since)}
        if self.claims:
            record["customAttributes"] = json.dumps(self.claims)
        return record


@dataclass
class FirebaseFake:
    """The state behind the loopback server, and what it was asked."""

    project: str = PROJECT
    key: SigningKey = field(default_factory=SigningKey.generate)
    service_key: SigningKey = field(default_factory=SigningKey.generate)
    accounts: dict[str, Account] = field(default_factory=dict)
    faults: list[int] = field(default_factory=list)  # statuses Identity Toolkit answers next
    cert_fetches: int = 0
    oauth_tokens: list[str] = field(default_factory=list)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    url: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    # what the application is configured with
    def env(self, credentials: Path | None = None) -> dict[str, Any]:
        env: dict[str, Any] = {"FIREBASE_PROJECT_ID": self.project, "FIREBASE_CERTS_URL": f"{self.url}/certs",
                               "FIREBASE_AUTH_BASE_URL": self.url}
        return {**env, "FIREBASE_CREDENTIALS": str(credentials)} if credentials else env

    def service_account(self, directory: Path) -> Path:
        """A throwaway service-account file whose key is local and whose token_uri is this fake."""
        path = directory / "service-account.json"
        path.write_text(json.dumps({
            "type": "service_account", "project_id": self.project, "private_key_id": self.service_key.kid,
            "private_key": self.service_key.private_pem(), "client_id": "1234567890",
            "client_email": f"firebase-adminsdk@{self.project}.iam.gserviceaccount.com",
            "token_uri": f"{self.url}/token",
        }))
        return path

    def account(self, uid: str) -> Account:
        with self.lock:
            return self.accounts.setdefault(uid, Account(uid))

    def mint(self, uid: str, role: str | None = None, *, issued: float | None = None,
             lifetime: float = 3600, **changes: Any) -> str:
        """An ID token as Firebase mints it (issued now, for an hour, signed by the served key);
        `changes` replace claims (`aud`, `iss`, ...) or, prefixed `header_`, header fields; `key`
        signs with another key, `algorithm` and `secret` sign otherwise."""
        now = time.time() if issued is None else issued
        claims: dict[str, Any] = {
            "iss": f"https://securetoken.google.com/{self.project}", "aud": self.project,
            "auth_time": int(now) - 5, "user_id": uid, "sub": uid, "iat": int(now),
            "exp": int(now + lifetime), "firebase": {"identities": {}, "sign_in_provider": "password"},
        }
        if role is not None:
            claims["role"] = role
        key: SigningKey = changes.pop("key", self.key)
        algorithm, secret = changes.pop("algorithm", "RS256"), changes.pop("secret", None)
        headers = {"kid": key.kid}
        for name in [n for n in changes if n.startswith("header_")]:
            headers[name.removeprefix("header_")] = changes.pop(name)
        claims.update(changes)
        signing = secret if secret is not None else key.private
        return jwt.encode(claims, signing, algorithm=algorithm, headers=headers)

    def forged_with_public_key(self, uid: str, role: str | None = None) -> str:
        """The classic confusion attack: HS256 whose HMAC key is the served public key."""
        genuine = self.mint(uid, role).split(".")
        header = _segment({"alg": "HS256", "typ": "JWT", "kid": self.key.kid})
        signing_input = f"{header}.{genuine[1]}".encode()
        mac = hmac.new(self.key.certificate.encode(), signing_input, hashlib.sha256).digest()
        return f"{header}.{genuine[1]}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"

    # the endpoints
    async def certs(self, request: Request) -> JSONResponse:
        with self.lock:
            self.cert_fetches += 1
        return JSONResponse({self.key.kid: self.key.certificate},
                            headers={"Cache-Control": "public, max-age=19800, must-revalidate, no-transform"})

    async def token(self, request: Request) -> JSONResponse:
        form = urllib.parse.parse_qs((await request.body()).decode())
        assertion = form.get("assertion", [""])[0]
        try:
            jwt.decode(assertion, self.service_key.public_pem(), algorithms=["RS256"],
                       audience="https://oauth2.googleapis.com/token")  # google-auth always names it
        except jwt.PyJWTError as error:
            return JSONResponse({"error": "invalid_grant", "error_description": str(error)}, 400)
        issued = f"ya29.fake-{uuid.uuid4().hex}"
        with self.lock:
            self.oauth_tokens.append(issued)
        return JSONResponse({"access_token": issued, "token_type": "Bearer", "expires_in": 3600})

    async def lookup(self, request: Request) -> JSONResponse:
        body, refused = await self._authorized(request, "lookup")
        if refused is not None:
            return refused
        with self.lock:
            found = [self.accounts[u].record() for u in body.get("localId", []) if u in self.accounts]
        answer: dict[str, Any] = {"kind": "identitytoolkit#GetAccountInfoResponse"}
        return JSONResponse({**answer, "users": found} if found else answer)

    async def update(self, request: Request) -> JSONResponse:
        body, refused = await self._authorized(request, "update")
        if refused is not None:
            return refused
        uid = body.get("localId")
        with self.lock:
            account = self.accounts.get(uid) if isinstance(uid, str) else None
            if account is None:
                return _error(400, "USER_NOT_FOUND")
            if "customAttributes" in body:
                account.claims = json.loads(body["customAttributes"])
            if "validSince" in body:
                account.valid_since = int(body["validSince"])
        return JSONResponse({"kind": "identitytoolkit#SetAccountInfoResponse", "localId": uid})

    async def delete(self, request: Request) -> JSONResponse:
        body, refused = await self._authorized(request, "delete")
        if refused is not None:
            return refused
        with self.lock:
            if self.accounts.pop(str(body.get("localId")), None) is None:
                return _error(400, "USER_NOT_FOUND")
        return JSONResponse({"kind": "identitytoolkit#DeleteAccountResponse"})

    async def _authorized(self, request: Request, name: str) -> tuple[dict[str, Any], JSONResponse | None]:
        body = await request.json()
        bearer = request.headers.get("authorization", "").removeprefix("Bearer ")
        with self.lock:
            self.calls.append((name, body))
            if request.path_params["project"] != self.project:
                return body, _error(404, "PROJECT_NOT_FOUND")
            if bearer not in self.oauth_tokens:
                return body, _error(401, "UNAUTHENTICATED")
            if self.faults:
                return body, _error(self.faults.pop(0), "QUOTA_EXCEEDED")
        return body, None

    def app(self) -> Starlette:
        base = "/v1/projects/{project}/"
        return Starlette(routes=[
            Route("/certs", self.certs), Route("/token", self.token, methods=["POST"]),
            Route(base + "accounts:lookup", self.lookup, methods=["POST"]),
            Route(base + "accounts:update", self.update, methods=["POST"]),
            Route(base + "accounts:delete", self.delete, methods=["POST"]),
        ])


def _segment(value: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": status, "message": message, "errors": []}}, status)


def firebase_settings(profile: str, fake: FirebaseFake, directory: Path, schema: str) -> Settings:
    """Settings of either profile with development tokens off and Firebase pointed at the fake."""
    env: dict[str, Any] = {"GYMGENIUS_DEV_TOKENS": False, **fake.env(fake.service_account(directory))}
    if profile == "server":
        return server_settings(schema, **env)
    return Settings(GYMGENIUS_DATA_DIR=directory / "var", **env)  # type: ignore[call-arg]


@contextmanager
def running_firebase(project: str = PROJECT) -> Iterator[FirebaseFake]:
    fake = FirebaseFake(project=project)
    with LoopbackServer(fake.app()) as server:
        fake.url = server.url
        yield fake
