"""Configuration from environment variables with safe defaults."""

from __future__ import annotations

import os
import secrets
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import flask

PACKAGE_DIR = Path(__file__).resolve().parent
#: True when installed from a wheel, which carries templates/, static/ and migrations/ inside the package (setup.py).
INSTALLED = (PACKAGE_DIR / "templates").is_dir()
#: The folder holding templates/, static/ and migrations/: the repository in a checkout, else the package itself.
PROJECT_ROOT = PACKAGE_DIR if INSTALLED else PACKAGE_DIR.parent


#: In instance/: where ``make run`` last served, for the commands run later in another shell without HOST and PORT.
SERVED_ADDRESS_FILE = "served_address"


def served_address() -> str:
    """Where ``make run`` (``flask run --host $HOST --port $PORT``) serves: the address links get outside a request
    when PUBLIC_BASE_URL is not set. A wildcard host (0.0.0.0, ::) is reached as 127.0.0.1 on the same machine.

    Without HOST and PORT in the environment (``flask notify`` from cron or another shell), the address ``make run``
    recorded at its start (``flask start-info``), else port 5000.
    """
    if not os.environ.get("HOST", "").strip() and not os.environ.get("PORT", "").strip():
        recorded = _instance_path() / SERVED_ADDRESS_FILE
        if recorded.is_file():
            return recorded.read_text().strip() or _served_address_from_environment()
    return _served_address_from_environment()


def record_served_address() -> str:
    """Remember where this ``make run`` serves (its HOST and PORT) for the commands run without them."""
    address = _served_address_from_environment()
    folder = _instance_path()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / SERVED_ADDRESS_FILE).write_text(address + "\n")
    return address


def _served_address_from_environment() -> str:
    host = os.environ.get("HOST", "").strip() or "127.0.0.1"
    if host in ("0.0.0.0", "::", "[::]"):  # noqa: S104 - the address flask run listens on, not one we bind
        host = "127.0.0.1"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"
    port = os.environ.get("PORT", "").strip() or "5000"
    return f"http://{host}:{port}"


def _instance_path() -> Path:
    """instance/ in a checkout; installed, <prefix>/var/youthcouncil-instance as Flask does (not site-packages)."""
    default = Path(sys.prefix) / "var" / "youthcouncil-instance" if INSTALLED else PROJECT_ROOT / "instance"
    return Path(os.environ.get("YC_INSTANCE_PATH", default))


def _secret_key(instance: Path) -> str | None:
    """SECRET_KEY from the environment, else the one generated into instance/ (never in the repo).

    None while no key has been generated yet: ``AppConfig`` generates it when it is first read, so commands that
    never need it (``flask tally``, ``flask pb-outcome``) write nothing.
    """
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = instance / "secret_key"
    return key_file.read_text().strip() if key_file.exists() else None


def generated_secret_key(instance: Path) -> str:
    """instance/secret_key, created once (mode 600, complete before it appears, so concurrent workers agree)."""
    instance.mkdir(parents=True, exist_ok=True)
    key_file = instance / "secret_key"
    if not key_file.exists():
        draft = instance / f".secret_key.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as stream:
            stream.write(secrets.token_urlsafe(48))
        try:
            os.link(draft, key_file)  # fails if another process made the key first: theirs is kept
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return key_file.read_text().strip()


class AppConfig(flask.Config):
    """Flask's config, except that a missing SECRET_KEY is generated into INSTANCE_PATH when first read."""

    def __getitem__(self, key: str) -> Any:
        value = super().__getitem__(key)
        if value is None and key == "SECRET_KEY" and self.get("INSTANCE_PATH"):
            value = self["SECRET_KEY"] = generated_secret_key(Path(self["INSTANCE_PATH"]))
        return value


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def oidc_providers_from(environ) -> list[dict[str, str]]:
    """``OIDC_PROVIDERS=feide kommune`` and, for each name, ``OIDC_FEIDE_DISCOVERY_URL``, ``..._CLIENT_ID``,
    ``..._CLIENT_SECRET``, ``..._DISPLAY_NAME``, ``..._ROLES`` (``member school_rep`` or ``clerk coordinator``) and
    optionally ``..._SCOPES`` (default ``openid``). Checked when the app starts (``youthcouncil.accounts.oidc``)."""
    providers = []
    for name in environ.get("OIDC_PROVIDERS", "").replace(",", " ").split():
        prefix = f"OIDC_{name.upper()}_"
        settings = {"name": name.lower()}
        for key in ("discovery_url", "client_id", "client_secret", "display_name", "roles", "scopes"):
            if prefix + key.upper() in environ:
                settings[key] = environ[prefix + key.upper()]
        providers.append(settings)
    return providers


class Config:
    def __init__(self) -> None:
        instance = _instance_path()
        self.INSTANCE_PATH = str(instance)
        self.SECRET_KEY = _secret_key(instance)
        self.SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", f"sqlite:///{instance / 'youthcouncil.sqlite3'}")
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
        #: Where each open secret vote keeps its key (outside the database; destroyed when the vote closes). Every
        #: app process and host must see the same folder.
        self.VOTE_KEY_DIR = os.environ.get("VOTE_KEY_DIR", str(instance / "vote-keys"))
        #: The municipality's name on printouts and the public pages until one is stored.
        self.MUNICIPALITY_NAME = os.environ.get("MUNICIPALITY_NAME", "Demo kommune")
        self.MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", 60 * 1024 * 1024))
        #: The longest text field of a form with files (multipart); a longer one is refused with a 413 that says the
        #: text is too long (``errors.refused_for_text``). Forms without files are held only to MAX_CONTENT_LENGTH.
        self.MAX_FORM_MEMORY_SIZE = 500_000
        #: True when served over HTTPS: Secure cookies and HSTS.
        self.HTTPS = _bool("HTTPS", False)
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = self.HTTPS
        self.SESSION_COOKIE_NAME = "yc_session"
        self.PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
        # The cookie lives as long as the longest session (12 h from the login, enforced by `auth`): re-signing and
        # re-sending it on every response would only cost time. It is sent when the session changes.
        self.SESSION_REFRESH_EACH_REQUEST = False
        self.REMEMBER_COOKIE_DURATION = timedelta(seconds=0)
        #: Staff (clerks, coordinators) are logged out after this long without a request.
        self.STAFF_IDLE_TIMEOUT = timedelta(minutes=30)
        #: Everybody is logged out this long after logging in.
        self.SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=12)
        self.WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
        self.WTF_CSRF_HEADERS = ["X-CSRFToken"]
        self.BABEL_DEFAULT_LOCALE = "nb"
        self.BABEL_DEFAULT_TIMEZONE = "Europe/Oslo"
        self.LANGUAGES = ("nb", "en")
        self.RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
        self.RATELIMIT_HEADERS_ENABLED = False
        # Guessing throttles (youthcouncil/accounts/throttle.py). Only wrong guesses count; the next one over a limit
        # gets HTTP 429. A window starts at the first counted failure.
        #: Wrong passphrases from one known device (a browser where the account logged in before), per device.
        self.LOGIN_DEVICE_LIMIT = os.environ.get("LOGIN_DEVICE_LIMIT", "10 per 15 minutes")
        #: Wrong passphrases for one account from one address, by clients that are not a known device of it.
        self.LOGIN_ACCOUNT_ADDRESS_LIMIT = os.environ.get("LOGIN_ACCOUNT_ADDRESS_LIMIT", "10 per 15 minutes")
        #: Wrong passphrases for one account from every client that is not a known device of it; higher than the
        #: per-address one, so one guessing address does not lock the member out of a new phone elsewhere.
        self.LOGIN_ACCOUNT_LIMIT = os.environ.get("LOGIN_ACCOUNT_LIMIT", "20 per 15 minutes")
        #: Wrong passphrases from one address (all accounts) by clients that are not known devices: a school fits.
        self.LOGIN_ADDRESS_LIMIT = os.environ.get("LOGIN_ADDRESS_LIMIT", "200 per 15 minutes")
        #: Wrong activation codes from one browser on one address.
        self.ACTIVATION_CLIENT_LIMIT = os.environ.get("ACTIVATION_CLIENT_LIMIT", "10 per 15 minutes")
        #: Wrong activation codes from one address (every browser): a whole class activating together must fit.
        self.ACTIVATION_ATTEMPT_LIMIT = os.environ.get("ACTIVATION_ATTEMPT_LIMIT", "300 per 15 minutes")
        #: How long a browser stays a known device of an account after its last login there.
        self.DEVICE_COOKIE_LIFETIME = timedelta(days=180)
        #: How many reverse proxies in front of the app set X-Forwarded-For/-Proto (0: none, use the peer address).
        self.TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
        self.ACTIVATION_CODE_DAYS = 30
        self.SMTP_HOST = os.environ.get("SMTP_HOST", "")
        self.SMTP_PORT = int(os.environ.get("SMTP_PORT", "587"))
        self.SMTP_USERNAME = os.environ.get("SMTP_USERNAME", "")
        self.SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD", "")
        self.SMTP_STARTTLS = _bool("SMTP_STARTTLS", True)
        #: The sender of e-mails. Empty: "Ungdomsrådet <noreply@HOST>" with the host of the public address
        #: (notifications.services.mail_sender), printed by `flask mail-settings` and `make run`.
        self.MAIL_FROM = os.environ.get("MAIL_FROM", "").strip()
        #: Where attachments are stored (outside static/).
        self.UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER", str(instance / "uploads"))
        #: Log in with OpenID Connect providers (Feide, the municipality's); none by default. See the README.
        self.OIDC_PROVIDERS = oidc_providers_from(os.environ)
        #: Pages are compressed when the browser asks (brotli, else gzip); static files are compressed when built.
        self.COMPRESS_ALGORITHM = ["br", "gzip"]
        self.COMPRESS_ALGORITHM_STREAMING = ["br"]
        self.COMPRESS_MIMETYPES = ["text/html", "text/plain", "text/csv", "application/json"]
        #: The address people reach the app at (https://ungdomsrad.kommune.no), for links in QR codes, e-mails and
        #: notifications. Empty: a request's own address, and outside a request served_address() (see links.py).
        self.PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "").strip()


class TestConfig(Config):
    def __init__(self, database_url: str | None = None, instance_path: str | None = None) -> None:
        if instance_path:
            os.environ["YC_INSTANCE_PATH"] = instance_path
        super().__init__()
        self.TESTING = True
        self.SECRET_KEY = "test-secret-not-for-production"
        self.SQLALCHEMY_DATABASE_URI = database_url or self.SQLALCHEMY_DATABASE_URI
        self.RATELIMIT_STORAGE_URI = "memory://"
