"""Accounts: people who log in, their one-time activation codes, and the provider accounts they log in with."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime
from typing import TYPE_CHECKING, Optional

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from youthcouncil.db import utcnow
from youthcouncil.extensions import db

if TYPE_CHECKING:
    from youthcouncil.membership.models import School


class AccountType(enum.StrEnum):
    member = "member"
    school_rep = "school_rep"
    clerk = "clerk"
    coordinator = "coordinator"


#: The adults' accounts: only they may have an e-mail address (the database holds the same rule).
ADULT_TYPES = frozenset({AccountType.clerk, AccountType.coordinator})


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        sa.CheckConstraint("username = lower(username)", name="username_lowercase"),
        sa.CheckConstraint("email IS NULL OR account_type IN ('clerk', 'coordinator')", name="email_only_for_adults"),
        sa.CheckConstraint("account_type != 'school_rep' OR school_id IS NOT NULL", name="school_rep_has_school"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(40), unique=True)
    account_type: Mapped[AccountType] = mapped_column(
        sa.Enum(AccountType, name="account_type", native_enum=False, length=20)
    )
    first_name: Mapped[str] = mapped_column(sa.String(60))
    last_name: Mapped[str] = mapped_column(sa.String(60))
    #: Only adults (clerks, coordinators) may have an e-mail address; children never need one.
    email: Mapped[Optional[str]] = mapped_column(sa.String(254))
    #: The school a school rep represents.
    school_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("schools.id", ondelete="RESTRICT"))
    #: argon2id hash; None until the account is activated (or after a new activation code is issued).
    passphrase_hash: Mapped[Optional[str]] = mapped_column(sa.String(255))
    #: Part of every session cookie; replacing it ends every existing session of this user.
    session_token: Mapped[str] = mapped_column(sa.String(64), default=new_session_token)
    #: False when the coordinator or the end of a term deactivated the account.
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[Optional[datetime]]
    #: Set when personal data was minimised after the retention period.
    anonymised_at: Mapped[Optional[datetime]]

    school: Mapped[Optional[School]] = relationship(foreign_keys=[school_id])
    activation_codes: Mapped[list[ActivationCode]] = relationship(
        back_populates="user", cascade="all, delete-orphan", foreign_keys="ActivationCode.user_id"
    )
    identities: Mapped[list[ExternalIdentity]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="ExternalIdentity.provider"
    )

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def may_have_email(self) -> bool:
        return self.account_type in ADULT_TYPES

    @property
    def is_activated(self) -> bool:
        """True once the account can be logged into: a passphrase, or a connected school or work account."""
        return self.passphrase_hash is not None or bool(self.identities)

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def end_all_sessions(self) -> None:
        self.session_token = new_session_token()

    def __repr__(self) -> str:
        return f"<User {self.username} {self.account_type}>"


class ActivationCode(db.Model):
    """A one-time code handed out on paper; only its SHA-256 hash is stored."""

    __tablename__ = "activation_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[Optional[datetime]]
    #: Set when a newer code replaced this one before it was used.
    revoked_at: Mapped[Optional[datetime]]
    created_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(back_populates="activation_codes", foreign_keys=[user_id])

    def is_usable(self, now: datetime) -> bool:
        return self.used_at is None and self.revoked_at is None and now < self.expires_at


class ExternalIdentity(db.Model):
    """An account at an OpenID Connect provider (Feide, the municipality's) that logs into one of our accounts.

    Only the provider's name and its subject identifier are kept: never the name, e-mail, birth date or school the
    provider may send along.
    """

    __tablename__ = "external_identities"
    __table_args__ = (
        #: One provider account logs into at most one of our accounts.
        sa.UniqueConstraint("provider", "subject", name="uq_external_identities_provider_subject"),
        #: And one of our accounts is connected to at most one account at each provider.
        sa.UniqueConstraint("user_id", "provider", name="uq_external_identities_user_provider"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    #: The provider's name in the settings (``OIDC_PROVIDERS``), e.g. ``feide``.
    provider: Mapped[str] = mapped_column(sa.String(40))
    #: The provider's ``sub`` claim: an opaque identifier, stable for this person at this provider.
    subject: Mapped[str] = mapped_column(sa.String(255))
    #: Staff only, by their own choice: their e-mail address is taken from the provider at each login.
    takes_email: Mapped[bool] = mapped_column(default=False)

    user: Mapped[User] = relationship(back_populates="identities")
