"""A real OpenID Connect provider for the tests (npm's oidc-provider, run by node), with two clients and test users.

``start_provider(["http://localhost"])`` starts it on a free port for apps served at those addresses and returns a
``RunningProvider``; ``provider.settings("feide")`` is what the app's ``OIDC_PROVIDERS`` would hold.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
PASSWORD = "test-passord-idp"

#: What each client is: Feide for members and school reps, the municipality's login for staff.
CLIENTS = {
    "feide": {"client_name": "Feide (test)", "roles": "member school_rep", "display_name": "Feide"},
    "kommune": {"client_name": "Kommunen (test)", "roles": "clerk coordinator", "display_name": "Kommunen"},
}


@dataclass(frozen=True)
class TestUser:
    login: str
    sub: str
    claims: dict


#: Every claim is sent in the ID token; the app must keep none of them.
USERS = {
    "pupil": TestUser(
        "elev.ola",
        "f-3c9a1e7b2d",
        {
            "name": "Ola Testelev Nordmann",
            "given_name": "Ola",
            "family_name": "Testelev Nordmann",
            "email": "ola.testelev@skole.example",
            "email_verified": True,
            "birthdate": "2013-04-17",
            "school": "Testeby ungdomsskole",
        },
    ),
    "pupil2": TestUser(
        "elev.kari",
        "f-77d0b5a6e1",
        {"name": "Kari Andreelev", "email": "kari.andreelev@skole.example", "birthdate": "2012-09-02"},
    ),
    "clerk": TestUser(
        "ansatt.siri",
        "k-0a4f91c2ee",
        {"name": "Siri Saksbehandler", "email": "siri.saksbehandler@kommune.example", "email_verified": True},
    ),
    "stranger": TestUser("ukjent.person", "f-9999999999", {"name": "Ukjent Person", "email": "ukjent@skole.example"}),
}


def node_path() -> str | None:
    return shutil.which("node")


def _skip_or_fail(reason: str):
    if os.environ.get("CI") or os.environ.get("YC_REQUIRE_OIDC") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


@dataclass
class RunningProvider:
    issuer: str
    process: subprocess.Popen
    secrets: dict[str, str]

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def settings(self, name: str, **overrides) -> dict[str, str]:
        """The app's settings for one of the two clients (what ``OIDC_PROVIDERS`` holds)."""
        client = CLIENTS[name]
        return {
            "name": name,
            "discovery_url": self.discovery_url,
            "client_id": f"yc-{name}",
            "client_secret": self.secrets[name],
            "display_name": client["display_name"],
            "roles": client["roles"],
            **overrides,
        }

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process.stdout.close()


def start_provider(app_bases: list[str]) -> RunningProvider:
    """Start the provider for apps served at ``app_bases`` (their callback and logout-return URLs are registered)."""
    node = node_path()
    script = HERE / "provider.mjs"
    if node is None or not (ROOT / "node_modules" / "oidc-provider").is_dir():
        _skip_or_fail("node or npm's oidc-provider is missing: run `make assets` (npm ci)")
    secrets = {name: f"secret-{name}-{os.urandom(8).hex()}" for name in CLIENTS}
    config = {
        "clients": [
            {
                "client_id": f"yc-{name}",
                "client_secret": secrets[name],
                "client_name": client["client_name"],
                "redirect_uris": [f"{base}/sso/{name}/callback" for base in app_bases],
                "post_logout_redirect_uris": [f"{base}/" for base in app_bases],
            }
            for name, client in CLIENTS.items()
        ],
        "users": [{"login": u.login, "password": PASSWORD, "sub": u.sub, "claims": u.claims} for u in USERS.values()],
    }
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as stream:
        json.dump(config, stream)
    process = subprocess.Popen(
        [node, str(script), stream.name],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    line = process.stdout.readline()
    os.unlink(stream.name)
    if not line.startswith("{"):
        process.kill()
        pytest.fail(f"the test OpenID provider did not start: {line!r}")
    return RunningProvider(issuer=json.loads(line)["issuer"], process=process, secrets=secrets)


FORM_ACTION_RE = re.compile(r'<form method="post" action="([^"]+)"')


def log_in_at_provider(authorize_url: str, user: TestUser | None, password: str = PASSWORD, *, browser=None) -> str:
    """Do what a person does in a browser at the provider: open the app's authorization request, fill in the login
    page, and come back. Returns the callback URL (with ``code`` and ``state``) the provider sends the browser to.
    With ``user=None`` the provider must send the browser straight back (it still knows the browser)."""
    browser = browser or requests.Session()
    response = browser.get(authorize_url, allow_redirects=False, timeout=10)
    for _ in range(10):
        if response.status_code not in (302, 303):
            page = response.text
            match = FORM_ACTION_RE.search(page)
            assert match and 'name="login"' in page, f"not the provider's login page: {page[:300]}"
            assert user is not None, "the provider showed its login page"
            response = browser.post(
                urljoin(response.url, match.group(1)),
                data={"login": user.login, "password": password},
                allow_redirects=False,
                timeout=10,
            )
            continue
        location = urljoin(response.url, response.headers["Location"])
        if "/sso/" in location and "/callback" in location:
            return location
        response = browser.get(location, allow_redirects=False, timeout=10)
    raise AssertionError("the provider never sent the browser back")
