"""Settings, read once from the environment so every process of a deployment agrees."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from platformdirs import user_data_dir


def default_data_dir() -> Path:
    return Path(os.environ.get("WORKSHOP_DATA_DIR") or user_data_dir("nyttoverkstad", appauthor=False))


def _secret_key(data_dir: Path) -> str:
    """A stable secret per data folder, so sessions survive restarts without configuration."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_urlsafe(48)
    # Written once, atomically: processes that start together on one data folder must end up
    # with the same key, or a login on one of them would not count on the other.
    tmp = data_dir / f".secret_key.{os.getpid()}.{secrets.token_hex(4)}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, key.encode())
    finally:
        os.close(fd)
    try:
        os.link(tmp, path)  # fails if another process got there first; theirs wins
    except FileExistsError:
        pass
    finally:
        tmp.unlink()
    return path.read_text().strip()


PLACEHOLDER_SECRETS = {"change-me", "changeme", "secret", "dev", "development", "test", "xxx"}
MIN_SECRET_LENGTH = 32


def secret_key_problem(key: str) -> str | None:
    """Why ``key`` must not sign a served deployment's cookies, or None when it is fit."""
    if key.strip().lower() in PLACEHOLDER_SECRETS or "change" in key.lower():
        return "SECRET_KEY is a placeholder"
    if len(key) < MIN_SECRET_LENGTH:
        return f"SECRET_KEY is shorter than {MIN_SECRET_LENGTH} characters"
    return None


def _public_url(raw: str | None) -> str | None:
    if not raw or not raw.strip():
        return None
    parts = urlsplit(raw.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(f"PUBLIC_URL must be an http(s) address such as https://nytta.example.se, not {raw!r}")
    return raw.strip().rstrip("/")


def _smtp_tls(raw: str | None) -> str:
    value = (raw or "starttls").strip().lower()
    if value not in ("starttls", "ssl", "none"):
        raise ValueError(f"SMTP_TLS must be starttls, ssl or none, not {raw!r}")
    return value


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


@dataclass
class Settings:
    data_dir: Path
    database_url: str
    secret_key: str
    # Redis (or other kombu) URL: set it when several server processes share one workshop.
    message_queue: str | None = None
    # Storage for rate-limit counters; must be shared across processes in a scale-out.
    ratelimit_storage: str = "memory://"
    # Origins allowed to open a socket; "*" is never used by default.
    cors_origins: list[str] | str | None = None
    # Serve cookies with the Secure flag (turn on behind https).
    secure_cookies: bool = False
    # Seconds between two aggregate sends for one activity (coalescing window).
    broadcast_interval: float = 0.25
    # Phones get results (the counts, and the figures once shown) at most this often.
    phone_broadcast_interval: float = 1.0
    # Failed join-code lookups per address (wrong code on /api/join, /w/, /j/, /qr/). An address
    # over it still reaches a workshop it has already reached (or whose screen or console it
    # shows): the hall keeps joining, a guesser learns nothing more. docs/configuration.md.
    rate_limit_join: str = "30/hour"
    # New participants per address. A hall behind one NAT is one address: 5 000 phones (the
    # size the product is built for) plus a second join from a private tab for one in five.
    rate_limit_join_new: str = "6000/hour"
    # Failed logins per (account, address) and per address over all accounts, from a browser
    # that has not logged in to that account before; a browser that has is counted apart.
    rate_limit_login: str = "10/15minute"
    rate_limit_login_address: str = "30/hour"
    # Failed logins per account over all addresses (a spread-out guesser).
    rate_limit_login_account: str = "100/day"
    # Connects and snapshot requests per participant (token), and sockets open at once per
    # participant in one process. A phone reconnects with back-off (at most ~12 a minute).
    rate_limit_phone_connect: str = "30/minute"
    rate_limit_phone_snapshot: str = "12/minute"
    phone_sockets_max: int = 4
    rate_limit_submit: str = "60/10second"
    # All phones of one address together. A hall behind one NAT is one address: 5 000 phones
    # voting five times in ten seconds must pass, a script flooding from one address must not.
    rate_limit_submit_address: str = "30000/10second"
    # Pub/sub channel on the message queue; every process of one deployment uses the same one,
    # two deployments sharing a Redis must not.
    message_queue_channel: str = "nyttoverkstad"
    # Seconds a Redis command (publish) may take before it counts as failed.
    message_queue_timeout: float = 2.0
    # PostgreSQL connection pool, per process (SQLite ignores these).
    db_pool_size: int = 10
    db_max_overflow: int = 20
    db_pool_timeout: float = 10.0
    db_connect_timeout: int = 5
    # How long SQLite waits for another writer's lock before an input is retried (seconds).
    sqlite_busy_timeout: float = 10.0
    # Number of reverse proxies in front of the server whose X-Forwarded-* headers are trusted.
    trusted_proxies: int = 0
    # The address people use, e.g. https://nytta.region.se (QR code, "Gå med på", links); when
    # unset, the address a request came in on.
    public_url: str | None = None
    # workshop serve: seconds a client has to send its request line (also the idle time of a
    # kept-alive connection) and then its headers (workshop/serving.py).
    request_line_timeout: float = 30.0
    header_timeout: float = 10.0
    # Facilitator logins (workshop/login_sessions.py): idle and absolute timeouts; a login with
    # "Kom ihåg mig" lasts remember_days (0 turns remember-me off).
    session_idle_minutes: int = 60
    session_absolute_hours: int = 12
    remember_days: int = 14
    # Times in exported results (CSV, spreadsheet) are written in this zone, without an offset.
    timezone: str = "Europe/Stockholm"
    # The accessibility statement (/tillganglighet): who runs this installation and where to
    # report a problem (an e-mail address or a web address).
    operator_name: str = ""
    accessibility_contact: str = ""
    # Sign-in with the organisation's identity provider (OpenID Connect, docs/configuration.md):
    # on when an issuer, a client id and a client secret are set.
    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_scopes: str = "openid email profile"
    # The provider's name on the login button ("Logga in med <name>").
    oidc_provider_name: str = ""
    # Make a facilitator account at the first sign-in of someone whose verified e-mail address
    # is in one of these domains (empty: only people who already have an account sign in).
    oidc_account_domains: list[str] = field(default_factory=list)
    # Months after a workshop closes when its participants' inputs are deleted: the default
    # for new workshops (each workshop can change it); 0 = kept until deleted by hand.
    retention_months: int = 0
    # E-mail for invitations and password resets (workshop/mail.py); without a host the link is
    # only shown to copy. smtp_tls: "starttls" (default), "ssl" or "none".
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_tls: str = "starttls"
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_from: str = ""
    testing: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_client_id and self.oidc_client_secret)

    @classmethod
    def from_env(cls, data_dir: str | Path | None = None, **overrides) -> Settings:
        ddir = Path(data_dir) if data_dir else default_data_dir()
        ddir.mkdir(mode=0o700, parents=True, exist_ok=True)  # a new folder is the owner's alone
        db_url = os.environ.get("DATABASE_URL") or f"sqlite:///{ddir / 'nyttoverkstad.sqlite3'}"
        if db_url.startswith("postgres://"):
            db_url = "postgresql+psycopg://" + db_url[len("postgres://") :]
        elif db_url.startswith("postgresql://"):
            db_url = "postgresql+psycopg://" + db_url[len("postgresql://") :]
        origins = os.environ.get("CORS_ORIGINS")
        settings = cls(
            data_dir=ddir,
            database_url=db_url,
            secret_key=_secret_key(ddir),
            message_queue=os.environ.get("MESSAGE_QUEUE_URL") or None,
            ratelimit_storage=os.environ.get("RATELIMIT_STORAGE_URL", "memory://"),
            cors_origins=[o.strip() for o in origins.split(",")] if origins else None,
            secure_cookies=_bool("SECURE_COOKIES", False),
            broadcast_interval=float(os.environ.get("BROADCAST_INTERVAL", "0.25")),
            phone_broadcast_interval=float(os.environ.get("PHONE_BROADCAST_INTERVAL", "1.0")),
            rate_limit_join=os.environ.get("RATE_LIMIT_JOIN", "30/hour"),
            rate_limit_join_new=os.environ.get("RATE_LIMIT_JOIN_NEW", "6000/hour"),
            rate_limit_login=os.environ.get("RATE_LIMIT_LOGIN", "10/15minute"),
            rate_limit_login_address=os.environ.get("RATE_LIMIT_LOGIN_ADDRESS", "30/hour"),
            rate_limit_login_account=os.environ.get("RATE_LIMIT_LOGIN_ACCOUNT", "100/day"),
            rate_limit_phone_connect=os.environ.get("RATE_LIMIT_PHONE_CONNECT", "30/minute"),
            rate_limit_phone_snapshot=os.environ.get("RATE_LIMIT_PHONE_SNAPSHOT", "12/minute"),
            phone_sockets_max=int(os.environ.get("PHONE_SOCKETS_MAX", "4")),
            rate_limit_submit=os.environ.get("RATE_LIMIT_SUBMIT", "60/10second"),
            rate_limit_submit_address=os.environ.get("RATE_LIMIT_SUBMIT_ADDRESS", "30000/10second"),
            message_queue_channel=os.environ.get("MESSAGE_QUEUE_CHANNEL") or "nyttoverkstad",
            message_queue_timeout=float(os.environ.get("MESSAGE_QUEUE_TIMEOUT", "2")),
            db_pool_size=int(os.environ.get("DB_POOL_SIZE", "10")),
            db_max_overflow=int(os.environ.get("DB_MAX_OVERFLOW", "20")),
            db_pool_timeout=float(os.environ.get("DB_POOL_TIMEOUT", "10")),
            db_connect_timeout=int(os.environ.get("DB_CONNECT_TIMEOUT", "5")),
            sqlite_busy_timeout=float(os.environ.get("SQLITE_BUSY_TIMEOUT", "10")),
            trusted_proxies=int(os.environ.get("TRUSTED_PROXIES", "0")),
            public_url=_public_url(os.environ.get("PUBLIC_URL")),
            request_line_timeout=float(os.environ.get("REQUEST_LINE_TIMEOUT", "30")),
            header_timeout=float(os.environ.get("HEADER_TIMEOUT", "10")),
            session_idle_minutes=int(os.environ.get("SESSION_IDLE_MINUTES", "60")),
            session_absolute_hours=int(os.environ.get("SESSION_ABSOLUTE_HOURS", "12")),
            remember_days=int(os.environ.get("REMEMBER_DAYS", "14")),
            timezone=os.environ.get("WORKSHOP_TIMEZONE") or "Europe/Stockholm",
            operator_name=(os.environ.get("OPERATOR_NAME") or "").strip()[:200],
            accessibility_contact=(os.environ.get("ACCESSIBILITY_CONTACT") or "").strip()[:300],
            retention_months=max(0, min(120, int(os.environ.get("RETENTION_MONTHS") or "0"))),
            oidc_issuer=(os.environ.get("OIDC_ISSUER") or "").strip().rstrip("/"),
            oidc_client_id=(os.environ.get("OIDC_CLIENT_ID") or "").strip(),
            oidc_client_secret=(os.environ.get("OIDC_CLIENT_SECRET") or "").strip(),
            oidc_scopes=(os.environ.get("OIDC_SCOPES") or "openid email profile").strip(),
            oidc_provider_name=(os.environ.get("OIDC_PROVIDER_NAME") or "").strip()[:80],
            oidc_account_domains=[
                d.strip().lower().lstrip("@")
                for d in (os.environ.get("OIDC_ACCOUNT_DOMAINS") or "").split(",")
                if d.strip()
            ],
            smtp_host=(os.environ.get("SMTP_HOST") or "").strip(),
            smtp_port=int(os.environ.get("SMTP_PORT") or "587"),
            smtp_tls=_smtp_tls(os.environ.get("SMTP_TLS")),
            smtp_user=os.environ.get("SMTP_USER") or "",
            smtp_password=os.environ.get("SMTP_PASSWORD") or "",
            smtp_from=(os.environ.get("SMTP_FROM") or "").strip() or "nyttoverkstad@localhost",
        )
        for key, value in overrides.items():
            setattr(settings, key, value)
        return settings
