"""Every setting of GymGenius Core, read from the environment (names as in API.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_DEV_SECRET = "gymgenius-development-signing-key-not-for-production"  # noqa: S105
DEFAULT_WEBHOOK_SECRET = "gymgenius-sandbox-webhook-secret"  # noqa: S105
DEFAULT_KEY_SECRET = "gymgenius-sandbox-key-secret"  # noqa: S105
GOOGLE_CERTS_URL = "https://www.googleapis.com/robot/v1/metadata/x509/securetoken@system.gserviceaccount.com"
GOOGLE_AUTH_BASE_URL = "https://identitytoolkit.googleapis.com"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(populate_by_name=True, extra="ignore", frozen=True)

    profile: Literal["embedded", "server"] = Field("embedded", alias="GYMGENIUS_PROFILE")
    env: Literal["development", "production"] = Field("development", alias="GYMGENIUS_ENV")
    dev_tokens: bool | None = Field(None, alias="GYMGENIUS_DEV_TOKENS")
    dev_token_secret: str = Field(DEFAULT_DEV_SECRET, alias="GYMGENIUS_DEV_TOKEN_SECRET")
    data_dir: Path = Field(Path("var"), alias="GYMGENIUS_DATA_DIR")
    host: str = Field("127.0.0.1", alias="HOST")
    port: int = Field(8000, alias="PORT")
    database_url: str = Field("postgresql://postgres@127.0.0.1:5432/postgres", alias="DATABASE_URL")
    query_database_url: str | None = Field(None, alias="QUERY_DATABASE_URL")
    database_schema: str = Field("public", alias="GYMGENIUS_DB_SCHEMA")
    db_lock_timeout_s: int = Field(5, alias="GYMGENIUS_DB_LOCK_TIMEOUT")
    # The process's one PostgreSQL pool (event store, projections and queries draw from it; a
    # replica named by QUERY_DATABASE_URL has one of its own): see ops/README.md for the
    # arithmetic against max_connections. Catch-ups take at most half of it (two connections each).
    db_pool_size: int = Field(6, ge=1, alias="GYMGENIUS_DB_POOL_SIZE")
    db_max_overflow: int = Field(4, ge=0, alias="GYMGENIUS_DB_MAX_OVERFLOW")
    # The replica's pool, where QUERY_DATABASE_URL names one (unset: the sizes above)
    db_replica_pool_size: int | None = Field(None, ge=1, alias="GYMGENIUS_DB_REPLICA_POOL_SIZE")
    db_replica_max_overflow: int | None = Field(None, ge=0, alias="GYMGENIUS_DB_REPLICA_MAX_OVERFLOW")
    # How this process's connections show in pg_stat_activity (one name per Deployment)
    db_application_name: str = Field("gymgenius", min_length=1, max_length=56,
                                     pattern=r"^[A-Za-z0-9_.:-]+$", alias="GYMGENIUS_DB_APPLICATION_NAME")
    redis_url: str = Field("redis://127.0.0.1:6379/0", alias="REDIS_URL")
    firebase_project_id: str = Field("gymgenius-dev", min_length=1, alias="FIREBASE_PROJECT_ID")
    firebase_certs_url: str = Field(GOOGLE_CERTS_URL, alias="FIREBASE_CERTS_URL")
    firebase_auth_base_url: str = Field(GOOGLE_AUTH_BASE_URL, alias="FIREBASE_AUTH_BASE_URL")
    firebase_credentials: Path | None = Field(None, alias="FIREBASE_CREDENTIALS")  # service-account file
    firebase_auth_emulator_host: str | None = Field(None, alias="FIREBASE_AUTH_EMULATOR_HOST")
    razorpay_key_id: str = Field("rzp_test_gymgenius", alias="RAZORPAY_KEY_ID")
    razorpay_key_secret: str = Field(DEFAULT_KEY_SECRET, alias="RAZORPAY_KEY_SECRET")
    razorpay_webhook_secret: str = Field(DEFAULT_WEBHOOK_SECRET, alias="RAZORPAY_WEBHOOK_SECRET")
    razorpay_webhook_secret_previous: str | None = Field(None, alias="RAZORPAY_WEBHOOK_SECRET_PREVIOUS")
    razorpay_base_url: str | None = Field(None, alias="RAZORPAY_BASE_URL")
    gateway_timeout_s: float = Field(5.0, gt=0, le=30, alias="GYMGENIUS_GATEWAY_TIMEOUT")
    gateway_deadline_s: float | None = Field(None, gt=0, le=60, alias="GYMGENIUS_GATEWAY_DEADLINE")
    gateway_breaker_failures: int = Field(5, ge=1, alias="GYMGENIUS_GATEWAY_BREAKER_FAILURES")
    gateway_breaker_reset_s: float = Field(30.0, gt=0, alias="GYMGENIUS_GATEWAY_BREAKER_RESET")
    gemini_api_key: str | None = Field(None, alias="GEMINI_API_KEY")
    gemini_base_url: str | None = Field(None, alias="GEMINI_BASE_URL")
    gemini_model: str = Field("gemini-2.5-flash", min_length=1, alias="GEMINI_MODEL")
    gemini_timeout_s: float = Field(30.0, gt=0, le=120, alias="GYMGENIUS_GEMINI_TIMEOUT")
    gemini_breaker_failures: int = Field(5, ge=1, alias="GYMGENIUS_GEMINI_BREAKER_FAILURES")
    gemini_breaker_reset_s: float = Field(60.0, gt=0, alias="GYMGENIUS_GEMINI_BREAKER_RESET")
    # a plan still generating this long after its last event is sent to a worker again
    generation_stuck_s: float = Field(180.0, gt=0, alias="GYMGENIUS_GENERATION_STUCK_SECONDS")
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["http://localhost:3000"], alias="CORS_ORIGINS"
    )
    group_commit: bool = Field(True, alias="GYMGENIUS_GROUP_COMMIT")
    aggregates_cached: int = Field(20_000, ge=0, alias="GYMGENIUS_AGGREGATES_CACHED")
    # the garbage collector's thresholds in serving processes (infrastructure/collector.py)
    gc_thresholds: Annotated[tuple[int, int, int], NoDecode] = Field(
        (50_000, 20, 10), alias="GYMGENIUS_GC_THRESHOLDS")
    worker_metrics_port: int | None = Field(None, alias="GYMGENIUS_WORKER_METRICS_PORT")
    # Where the hot read models (chat messages) are caught up on the server profile: `thread`, a
    # lane of their own in every worker; `process`, only in `python -m interfaces.workers.hot`
    # processes, deployed beside the workers, so that no other catch-up shares their interpreter.
    hot_lane: Literal["thread", "process"] = Field("thread", alias="GYMGENIUS_HOT_LANE")
    # With `process`, a worker catches up the hot read models itself while they have been behind and
    # not moving for this long (no hot-lane process up, or it is stuck)
    hot_lane_grace_s: float = Field(5.0, gt=0, le=300, alias="GYMGENIUS_HOT_LANE_GRACE_S")
    # A worker's passes over the read models and policies, woken by nudges and NOTIFY, begin at
    # least this far apart: under a stream of events each pass takes a batch (the hot lane waits not)
    catch_up_spacing_s: float = Field(0.1, ge=0, le=5, alias="GYMGENIUS_CATCH_UP_SPACING_S")
    tick_s: float = Field(60.0, gt=0, le=3600, alias="GYMGENIUS_TICK_SECONDS")  # the scheduler's beat
    log_json: bool = Field(True, alias="GYMGENIUS_LOG_JSON")
    # the edge: rate limits (`limits` notation, per user unless said), body limits
    rate_limits: bool = Field(True, alias="GYMGENIUS_RATE_LIMITS")
    rate_limit_general: str = Field("120/minute", alias="GYMGENIUS_RATE_LIMIT_GENERAL")
    rate_limit_chat: str = Field("20/minute", alias="GYMGENIUS_RATE_LIMIT_CHAT")
    rate_limit_generate: str = Field("10/minute", alias="GYMGENIUS_RATE_LIMIT_GENERATE")
    rate_limit_anonymous: str = Field("60/minute", alias="GYMGENIUS_RATE_LIMIT_ANONYMOUS")  # per IP
    max_body_bytes: int = Field(1024 * 1024, ge=1024, alias="GYMGENIUS_MAX_BODY_BYTES")
    max_webhook_body_bytes: int = Field(256 * 1024, ge=1024, alias="GYMGENIUS_MAX_WEBHOOK_BODY_BYTES")

    @model_validator(mode="before")
    @classmethod
    def _split_origins(cls, data: dict) -> dict:
        for key in ("CORS_ORIGINS", "cors_origins"):
            if isinstance(data.get(key), str):
                data[key] = [o.strip() for o in data[key].split(",") if o.strip()]
        return data

    @field_validator("gc_thresholds", mode="before")
    @classmethod
    def _three_thresholds(cls, value: object) -> object:
        if isinstance(value, str):
            value = tuple(int(part) for part in value.split(","))
        if not (isinstance(value, tuple | list) and len(value) == 3 and all(int(v) >= 1 for v in value)):
            raise ValueError("three positive integers, as 50000,20,10")
        return value

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        if self.env != "production":
            return self
        problems = []
        if self.profile == "embedded":
            problems.append("the embedded profile is for development only")
        if self.dev_tokens:
            problems.append("GYMGENIUS_DEV_TOKENS is on")
        problems += self._firebase_problems()
        if self.razorpay_key_secret == DEFAULT_KEY_SECRET:
            problems.append("RAZORPAY_KEY_SECRET is the sandbox default")
        if self.razorpay_webhook_secret == DEFAULT_WEBHOOK_SECRET:
            problems.append("RAZORPAY_WEBHOOK_SECRET is the sandbox default")
        if self.razorpay_webhook_secret_previous == DEFAULT_WEBHOOK_SECRET:
            problems.append("RAZORPAY_WEBHOOK_SECRET_PREVIOUS is the sandbox default")
        if self.razorpay_base_url and not self.razorpay_base_url.startswith("https://"):
            problems.append("RAZORPAY_BASE_URL is not https (the key secret would travel in clear)")
        if self.gemini_base_url and not self.gemini_base_url.startswith("https://"):
            problems.append("GEMINI_BASE_URL is not https (the API key would travel in clear)")
        if problems:
            raise ValueError("refusing to start in production: " + "; ".join(problems))
        return self

    def _firebase_problems(self) -> list[str]:
        problems = []
        if "firebase_project_id" not in self.model_fields_set:
            problems.append("FIREBASE_PROJECT_ID is not set")
        if self.firebase_certs_url != GOOGLE_CERTS_URL:
            problems.append("FIREBASE_CERTS_URL is not Google's")
        if self.firebase_auth_base_url != GOOGLE_AUTH_BASE_URL:
            problems.append("FIREBASE_AUTH_BASE_URL is not Google's")
        if self.firebase_auth_emulator_host:
            problems.append("FIREBASE_AUTH_EMULATOR_HOST is set (it turns signature checks off)")
        return problems

    @property
    def razorpay_webhook_secrets(self) -> list[str]:
        """Webhook signatures may use the current secret or, during a rotation, the previous one."""
        return [s for s in (self.razorpay_webhook_secret, self.razorpay_webhook_secret_previous) if s]

    @property
    def dev_tokens_enabled(self) -> bool:
        if self.dev_tokens is not None:
            return self.dev_tokens and self.env != "production"
        return self.profile == "embedded" and self.env != "production"
