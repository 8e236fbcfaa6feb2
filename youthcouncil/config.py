"""Configuration from environment variables with safe defaults."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _instance_path() -> Path:
    return Path(os.environ.get("YC_INSTANCE_PATH", PROJECT_ROOT / "instance"))


def _secret_key(instance: Path) -> str:
    """SECRET_KEY from the environment, else one generated once into instance/ (never in the repo)."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    instance.mkdir(parents=True, exist_ok=True)
    key_file = instance / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(48))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


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
        #: True when served over HTTPS: Secure cookies and HSTS.
        self.HTTPS = _bool("HTTPS", False)
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = self.HTTPS
        self.SESSION_COOKIE_NAME = "yc_session"
        self.PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
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
        #: Failed logins allowed per account per window; the next one gets HTTP 429.
        self.LOGIN_FAILURE_LIMIT = "10 per 15 minutes"
        #: Wrong activation codes allowed per address; a whole class activating on the school's network must fit.
        self.ACTIVATION_ATTEMPT_LIMIT = os.environ.get("ACTIVATION_ATTEMPT_LIMIT", "30 per 15 minutes")
        #: How many reverse proxies in front of the app set X-Forwarded-For/-Proto (0: none, use the peer address).
        self.TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
        self.ACTIVATION_CODE_DAYS = 30
        self.SMTP_HOST = os.environ.get("SMTP_HOST", "")
        self.SMTP_PORT = int(os.environ.get("SMTP_PORT", "587"))
        self.SMTP_USERNAME = os.environ.get("SMTP_USERNAME", "")
        self.SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD", "")
        self.SMTP_STARTTLS = _bool("SMTP_STARTTLS", True)
        self.MAIL_FROM = os.environ.get("MAIL_FROM", "ungdomsrad@example.invalid")
        #: Where attachments are stored (outside static/).
        self.UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER", str(instance / "uploads"))
        #: Base URL used in QR codes and e-mails when outside a request.
        self.PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")


class TestConfig(Config):
    def __init__(self, database_url: str | None = None, instance_path: str | None = None) -> None:
        if instance_path:
            os.environ["YC_INSTANCE_PATH"] = instance_path
        super().__init__()
        self.TESTING = True
        self.SECRET_KEY = "test-secret-not-for-production"
        self.SQLALCHEMY_DATABASE_URI = database_url or self.SQLALCHEMY_DATABASE_URI
        self.RATELIMIT_STORAGE_URI = "memory://"
