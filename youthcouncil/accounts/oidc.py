"""Log in with an OpenID Connect provider: Feide for pupils and school reps, the municipality's for staff.

The providers come from the settings (``OIDC_PROVIDERS``, see the README); with none, nothing here shows. Authlib's
Flask client does the authorization code flow with PKCE (S256), a ``state`` and a ``nonce``. The ID token is then
checked here, not left to defaults: signed with an asymmetric algorithm (never ``none``, never a shared secret) by a
key in the provider's JWKS, our client id as the audience, the issuer the discovery document names, not expired, not
issued in the future or long ago, and the nonce we sent. A ``state`` is good for one callback: it leaves the session
when used, and a shared one-time mark (in the throttle storage) refuses it even from an old copy of the cookie.

What a provider says about a person beyond the subject identifier (name, e-mail, birth date, school) is never
stored; only a staff member who chose it gets their e-mail address from the provider.

Authlib, joserfc and requests (about 0.2 s of imports) are imported by the functions that use them, when a login with
a provider happens: most installations configure no provider, and every web worker would pay for them at start.
"""

from __future__ import annotations

import base64
import enum
import hashlib
import hmac
import json
import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from flask import Flask, current_app, redirect, request, session
from werkzeug.wrappers import Response

from youthcouncil.accounts import throttle
from youthcouncil.accounts.models import AccountType

if TYPE_CHECKING:
    from authlib.integrations.flask_client import OAuth
    from joserfc.jwk import KeySet

log = logging.getLogger(__name__)

#: Only asymmetric signatures: ``none`` is refused, and so is HS256 (signed with our own client secret).
SIGNING_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
#: Clock skew allowed between us and the provider, in seconds.
LEEWAY = 60
#: An ID token issued longer ago than this (seconds) is refused: the callback follows the login within a minute.
ID_TOKEN_MAX_AGE = 600
#: How long a started login may take at the provider (the ``state``'s lifetime), in seconds.
FLOW_LIFETIME = 3600
#: The session key for the login under way: its state, provider, purpose and what it needs afterwards.
PENDING_KEY = "sso_pending"

STAFF_TYPES = frozenset({AccountType.clerk, AccountType.coordinator})


class Purpose(enum.StrEnum):
    login = "login"
    #: A logged-in user connects their account at the provider (from the account page).
    connect = "connect"
    #: A new user connects instead of choosing a passphrase, after typing their activation code.
    activate = "activate"


class SsoError(Exception):
    """The provider's answer is refused. ``reason`` goes to the log; the user sees a plain message."""

    def __init__(self, reason: str, *, unreachable: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.unreachable = unreachable


@dataclass(frozen=True)
class Provider:
    #: Short and lower case; in the URLs and, with the subject, in the database: never rename a provider in use.
    name: str
    display_name: str
    discovery_url: str
    client_id: str
    client_secret: str
    #: The kinds of account that may log in with it (and connect to it).
    account_types: frozenset[AccountType]
    scopes: str = "openid"

    def allows(self, user) -> bool:
        return user.account_type in self.account_types

    @property
    def for_staff(self) -> bool:
        return bool(self.account_types & STAFF_TYPES)


@dataclass(frozen=True)
class VerifiedLogin:
    """A checked answer from a provider: who the person is there, and what the login was started for."""

    provider: Provider
    subject: str
    purpose: Purpose
    #: The ``email`` claim, only when the provider sent one it has not marked unverified. Stored only for staff
    #: who chose it.
    email: str | None
    #: The account a ``connect`` was started by, or the activation code an ``activate`` was started with.
    started_for: int | None


def parse_providers(raw: list[dict[str, str]]) -> list[Provider]:
    """The providers from the settings; a missing or unknown value stops the app from starting."""
    providers = []
    for settings in raw:
        name = settings.get("name", "")
        missing = [key for key in ("discovery_url", "client_id", "client_secret") if not settings.get(key)]
        if not name.isidentifier() or len(name) > 40 or missing:
            raise ValueError(f"OpenID Connect provider {name!r}: set {', '.join(missing) or 'a short name'}")
        address = urlsplit(settings["discovery_url"])
        if address.scheme != "https" and address.hostname not in ("localhost", "127.0.0.1", "::1"):
            raise ValueError(f"OIDC_{name.upper()}_DISCOVERY_URL must be https")
        roles = settings.get("roles", "").replace(",", " ").split()
        if not roles or any(role not in AccountType.__members__ for role in roles):
            raise ValueError(f"OIDC_{name.upper()}_ROLES must name one or more of {', '.join(AccountType.__members__)}")
        scopes = settings.get("scopes", "openid").split()
        if "openid" not in scopes:
            raise ValueError(f"OIDC_{name.upper()}_SCOPES must include openid")
        providers.append(
            Provider(
                name=name,
                display_name=settings.get("display_name") or name.capitalize(),
                discovery_url=settings["discovery_url"],
                client_id=settings["client_id"],
                client_secret=settings["client_secret"],
                account_types=frozenset(AccountType(role) for role in roles),
                scopes=" ".join(scopes),
            )
        )
    if len({provider.name for provider in providers}) != len(providers):
        raise ValueError("OIDC_PROVIDERS names a provider twice")
    return providers


@dataclass
class Registry:
    providers: dict[str, Provider]
    oauth: OAuth | None  # None when no provider is configured


def init_app(app: Flask) -> None:
    configure(app, parse_providers(app.config.get("OIDC_PROVIDERS") or []))


def configure(app: Flask, providers: list[Provider]) -> None:
    """Register each provider with Authlib (its discovery document is read at the first login)."""
    if not providers:
        app.extensions["yc_oidc"] = Registry({}, None)
        return
    from authlib.integrations.flask_client import OAuth

    oauth = OAuth(app)
    for provider in providers:
        oauth.register(
            provider.name,
            client_id=provider.client_id,
            client_secret=provider.client_secret,
            server_metadata_url=provider.discovery_url,
            client_kwargs={"scope": provider.scopes, "code_challenge_method": "S256", "default_timeout": 10},
        )
    app.extensions["yc_oidc"] = Registry({provider.name: provider for provider in providers}, oauth)


def _registry() -> Registry:
    return current_app.extensions["yc_oidc"]


def providers() -> list[Provider]:
    return list(_registry().providers.values())


def provider_named(name: str) -> Provider | None:
    return _registry().providers.get(name)


def providers_for(account_type: AccountType) -> list[Provider]:
    return [provider for provider in providers() if account_type in provider.account_types]


def _client(provider: Provider):
    return _registry().oauth.create_client(provider.name)


def _metadata(provider: Provider) -> dict[str, Any]:
    """The provider's discovery document (read once, then kept); its issuer must be the one it was found at."""
    import requests

    try:
        metadata = _client(provider).load_server_metadata()
    except (requests.RequestException, ValueError) as error:
        raise SsoError(f"discovery document not readable: {error}", unreachable=True) from error
    issuer = str(metadata.get("issuer", ""))
    if not issuer or provider.discovery_url != issuer.rstrip("/") + "/.well-known/openid-configuration":
        raise SsoError(f"the discovery document's issuer {issuer!r} is not where it was found")
    return metadata


# --- Starting a login --------------------------------------------------------------------------------------------


def authorization_redirect(
    provider: Provider, purpose: Purpose, redirect_uri: str, started_for: int | None = None
) -> Response:
    """Send the browser to the provider. Connecting an account asks the provider for a fresh login there, so that
    nobody connects whoever happens to be logged in at the provider on a shared computer."""
    import requests

    metadata = _metadata(provider)
    if "S256" not in metadata.get("code_challenge_methods_supported", ["S256"]):
        raise SsoError("the provider does not offer PKCE with S256")
    client = _client(provider)
    extra = {"prompt": "login"} if purpose != Purpose.login else {}
    try:
        started = client.create_authorization_url(redirect_uri, **extra)
    except (requests.RequestException, ValueError) as error:
        raise SsoError(f"could not start: {error}", unreachable=True) from error
    # Authlib keeps the nonce, the PKCE verifier and the redirect URI in the session under the state.
    client.save_authorize_data(redirect_uri=redirect_uri, **started)
    session[PENDING_KEY] = {
        "state": started["state"],
        "provider": provider.name,
        "purpose": purpose.value,
        "started_for": started_for,
    }
    response = redirect(started["url"])
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


# --- The provider's answer ---------------------------------------------------------------------------------------


def finish(provider: Provider) -> VerifiedLogin:
    """Check the callback and the ID token; raises ``SsoError`` for anything not exactly right."""
    import requests
    from authlib.integrations.flask_client import OAuthError

    pending = session.pop(PENDING_KEY, None)
    state = request.args.get("state", "")
    client = _client(provider)
    state_data = client.framework.get_state_data(session, state) if state else None
    if state:
        client.framework.clear_state_data(session, state)
    if request.args.get("error"):
        raise SsoError(f"the provider answered {request.args['error'][:60]!r}")
    if (
        not state
        or state_data is None
        or not isinstance(pending, dict)
        or pending.get("state") != state
        or pending.get("provider") != provider.name
    ):
        raise SsoError("the state is unknown here or was used already")
    if not _first_use(state):
        raise SsoError("the state was used already (a replayed callback)")
    code = request.args.get("code", "")
    if not code:
        raise SsoError("the callback has no code")
    metadata = _metadata(provider)
    if "iss" in request.args and request.args["iss"] != metadata["issuer"]:
        raise SsoError("the callback names another issuer (RFC 9207)")
    try:
        token = client.fetch_access_token(
            code=code, redirect_uri=state_data["redirect_uri"], code_verifier=state_data["code_verifier"]
        )
    except OAuthError as error:
        raise SsoError(f"the token endpoint refused the code: {error.error}") from error
    except requests.RequestException as error:
        raise SsoError(f"the token endpoint is not reachable: {error}", unreachable=True) from error
    claims = verified_id_token_claims(provider, metadata, token.get("id_token"), state_data.get("nonce", ""))
    email = claims.get("email") if claims.get("email_verified", True) is not False else None
    return VerifiedLogin(
        provider=provider,
        subject=claims["sub"],
        purpose=Purpose(pending.get("purpose", Purpose.login.value)),
        email=email if isinstance(email, str) and 3 <= len(email) <= 254 and "@" in email else None,
        started_for=pending.get("started_for"),
    )


def verified_id_token_claims(provider: Provider, metadata: dict[str, Any], id_token: Any, nonce: str) -> dict:
    from joserfc import jwt
    from joserfc.errors import InvalidKeyIdError, JoseError, MissingKeyError
    from joserfc.jwt import JWTClaimsRegistry

    if not isinstance(id_token, str) or not id_token:
        raise SsoError("the token response has no ID token")
    algorithm = _header(id_token).get("alg")
    if algorithm not in SIGNING_ALGORITHMS:
        raise SsoError(f"the ID token's algorithm {algorithm!r} is not allowed")
    try:
        token = jwt.decode(id_token, _keys(provider), algorithms=SIGNING_ALGORITHMS)
    except (InvalidKeyIdError, MissingKeyError):
        # The provider may have rotated its keys since we read them: read them once more.
        try:
            token = jwt.decode(id_token, _keys(provider, fresh=True), algorithms=SIGNING_ALGORITHMS)
        except JoseError as error:
            raise SsoError(f"the ID token's signature does not verify: {error}") from error
    except JoseError as error:
        raise SsoError(f"the ID token's signature does not verify: {error}") from error
    claims = token.claims
    rules = JWTClaimsRegistry(
        leeway=LEEWAY,
        iss={"essential": True, "value": metadata["issuer"]},
        aud={"essential": True, "value": provider.client_id},
        sub={"essential": True},
        exp={"essential": True},
        iat={"essential": True},
        nonce={"essential": True, "value": nonce},
    )
    try:
        rules.validate(claims)
    except JoseError as error:
        raise SsoError(f"the ID token is refused: {error}") from error
    if not nonce:
        raise SsoError("no nonce was sent")
    if isinstance(claims["aud"], list) and len(claims["aud"]) > 1 and claims.get("azp") != provider.client_id:
        raise SsoError("the ID token has other audiences and is not for us (azp)")
    if claims["iat"] < time.time() - ID_TOKEN_MAX_AGE - LEEWAY:
        raise SsoError("the ID token was issued too long ago")
    if not isinstance(claims["sub"], str) or not 1 <= len(claims["sub"]) <= 255:
        raise SsoError("the ID token's subject is empty or too long")
    return claims


def _header(compact: str) -> dict:
    try:
        encoded = compact.split(".")[0]
        header = json.loads(_b64decode(encoded))
    except (ValueError, IndexError) as error:
        raise SsoError("the ID token is not a signed JWT") from error
    if not isinstance(header, dict):
        raise SsoError("the ID token is not a signed JWT")
    return header


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _keys(provider: Provider, fresh: bool = False) -> KeySet:
    import requests
    from joserfc.errors import JoseError
    from joserfc.jwk import KeySet

    try:
        key_set = _client(provider).fetch_jwk_set(force=fresh)
        return KeySet.import_key_set(key_set)
    except (requests.RequestException, ValueError, JoseError, RuntimeError) as error:
        raise SsoError(f"the provider's keys are not readable: {error}", unreachable=True) from error


def _first_use(state: str) -> bool:
    """True the first time this state comes back, across every process sharing the throttle storage."""
    storage = throttle.storage_for(current_app)
    key = current_app.config["SECRET_KEY"].encode()
    mark = hmac.new(key, f"oidc-state\x1f{state}".encode(), hashlib.sha256).hexdigest()[:32]
    return storage.incr(f"yc/oidc-state/{mark}", FLOW_LIFETIME) == 1


# --- Logging out -------------------------------------------------------------------------------------------------


def logout_url(provider: Provider, post_logout_redirect_uri: str) -> str | None:
    """Where to end the session at the provider, when it advertises an end-session endpoint."""
    try:
        endpoint = _metadata(provider).get("end_session_endpoint")
    except SsoError as error:
        log.warning("No logout link for %s: %s", provider.name, error.reason)
        return None
    if not endpoint or urlsplit(endpoint).scheme not in ("https", "http"):
        return None
    from authlib.common.urls import add_params_to_uri

    return add_params_to_uri(
        endpoint, {"client_id": provider.client_id, "post_logout_redirect_uri": post_logout_redirect_uri}
    )
