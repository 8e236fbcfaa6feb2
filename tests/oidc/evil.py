"""A small hostile OpenID provider for the refusal tests: it follows the protocol (PKCE checked, codes used once) but
hands out the ID token a test asks for: unsigned, signed with the client secret or a key not in its JWKS, for another
issuer or audience, expired, issued in the future, or with another nonce."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from urllib.parse import urlencode

from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

CLIENT_ID = "yc-evil"
CLIENT_SECRET = "evil-client-secret"
SUBJECT = "evil-subject-1"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _int_b64(number: int) -> str:
    return _b64(number.to_bytes((number.bit_length() + 7) // 8, "big"))


class EvilProvider:
    def __init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        #: What the next ID token looks like: "signing" (rs256, none, hs256, other_key), "claims" (overrides).
        self.scenario: dict = {}
        #: Changes to the discovery document.
        self.metadata_changes: dict = {}
        self.requests: dict[str, dict] = {}  # code -> the authorization request it answers
        self._server = make_server("127.0.0.1", 0, self.wsgi, threaded=True)
        self.issuer = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)

    def settings(self, **overrides) -> dict[str, str]:
        return {
            "name": "evil",
            "discovery_url": f"{self.issuer}/.well-known/openid-configuration",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "display_name": "Feide",
            "roles": "member school_rep",
            **overrides,
        }

    # --- The endpoints ---------------------------------------------------------------------------------------

    def wsgi(self, environ, start_response):
        request = Request(environ)
        handler = {
            "/.well-known/openid-configuration": self._discovery,
            "/authorize": self._authorize,
            "/token": self._token,
            "/jwks": self._jwks,
        }.get(request.path)
        response = handler(request) if handler else Response("not found", 404)
        return response(environ, start_response)

    def _discovery(self, request):
        metadata = {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "end_session_endpoint": f"{self.issuer}/logout",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            # A hostile provider advertises the algorithms it would like us to accept.
            "id_token_signing_alg_values_supported": ["RS256", "HS256", "none"],
            "code_challenge_methods_supported": ["S256"],
            **self.metadata_changes,
        }
        return Response(json.dumps(metadata), content_type="application/json")

    def _authorize(self, request):
        code = secrets.token_urlsafe(16)
        self.requests[code] = dict(request.args)
        query = urlencode({"code": code, "state": request.args.get("state", "")})
        return Response(status=302, headers={"Location": f"{request.args['redirect_uri']}?{query}"})

    def _token(self, request):
        auth = request.authorization
        if auth is None or (auth.username, auth.password) != (CLIENT_ID, CLIENT_SECRET):
            return self._error("invalid_client", 401)
        asked = self.requests.pop(request.form.get("code", ""), None)  # each code works once
        if asked is None:
            return self._error("invalid_grant")
        verifier = request.form.get("code_verifier", "")
        challenge = _b64(hashlib.sha256(verifier.encode()).digest())
        if asked.get("code_challenge_method") != "S256" or asked.get("code_challenge") != challenge:
            return self._error("invalid_grant")
        body = {"access_token": secrets.token_urlsafe(16), "token_type": "Bearer", "expires_in": 300}
        body["id_token"] = self.id_token(asked.get("nonce"))
        return Response(json.dumps(body), content_type="application/json")

    def _jwks(self, request):
        numbers = self.key.public_key().public_numbers()
        key = {"kty": "RSA", "kid": "evil-1", "use": "sig", "alg": "RS256", "n": _int_b64(numbers.n)}
        key["e"] = _int_b64(numbers.e)
        return Response(json.dumps({"keys": [key]}), content_type="application/json")

    @staticmethod
    def _error(error: str, status: int = 400):
        return Response(json.dumps({"error": error}), status=status, content_type="application/json")

    # --- The ID token ----------------------------------------------------------------------------------------

    def id_token(self, nonce: str | None) -> str:
        now = int(time.time())
        claims = {"iss": self.issuer, "sub": SUBJECT, "aud": CLIENT_ID, "iat": now, "exp": now + 300, "nonce": nonce}
        claims.update(self.scenario.get("claims", {}))
        claims = {name: value for name, value in claims.items() if value is not None}
        signing = self.scenario.get("signing", "rs256")
        header = {"alg": {"none": "none", "hs256": "HS256"}.get(signing, "RS256"), "typ": "JWT", "kid": "evil-1"}
        signed = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}".encode()
        if signing == "none":
            signature = b""
        elif signing == "hs256":
            mac = hmac.HMAC(CLIENT_SECRET.encode(), hashes.SHA256())
            mac.update(signed)
            signature = mac.finalize()
        else:
            key = self.other_key if signing == "other_key" else self.key
            signature = key.sign(signed, padding.PKCS1v15(), hashes.SHA256())
        return f"{signed.decode()}.{_b64(signature)}"
