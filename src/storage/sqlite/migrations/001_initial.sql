-- Schema version 1: API keys and usage records.
--
-- Migrations are applied in version order, each inside a transaction that also records it in
-- schema_migrations; so no BEGIN or COMMIT here. Never edit a released migration: add the
-- next number instead.
--
-- Times: api_keys columns are unix seconds, usage_records.created_at is unix milliseconds.

CREATE TABLE api_keys (
    id                  TEXT    NOT NULL PRIMARY KEY,  -- key_ + 26 base32 characters
    name                TEXT    NOT NULL,
    key_hash            TEXT    NOT NULL,              -- SHA-256 hex of the raw key
    key_prefix          TEXT    NOT NULL,
    scopes              TEXT    NOT NULL DEFAULT '[]', -- JSON array of strings
    allowed_models      TEXT    NOT NULL DEFAULT '[]', -- JSON array of strings
    ip_allowlist        TEXT    NOT NULL DEFAULT '[]', -- JSON array of CIDRs
    expires_at          INTEGER,
    rate_limit_rpm      INTEGER,
    rate_limit_rpd      INTEGER,
    rate_limit_tpm      INTEGER,
    rate_limit_tpd      INTEGER,
    concurrent_requests INTEGER,
    budget_limit_cents  INTEGER,
    budget_period       TEXT,                          -- 'daily' | 'monthly'
    created_at          INTEGER NOT NULL,
    revoked_at          INTEGER,
    last_used_at        INTEGER,
    rotated_to          TEXT    REFERENCES api_keys (id)
);

-- Authentication looks keys up by hash; a hash belongs to one key only.
CREATE UNIQUE INDEX api_keys_by_hash ON api_keys (key_hash);
-- Keyset pagination of the admin list.
CREATE INDEX api_keys_by_created ON api_keys (created_at, id);

-- One row per request. api_key_id has no foreign key: usage of keys that are not in this
-- table (the bootstrap key) is recorded too, and a usage batch must never fail over it.
CREATE TABLE usage_records (
    id               INTEGER NOT NULL PRIMARY KEY,     -- rowid
    request_id       TEXT    NOT NULL,
    api_key_id       TEXT,
    model            TEXT    NOT NULL,
    provider         TEXT    NOT NULL,
    input_tokens     INTEGER NOT NULL DEFAULT 0,
    output_tokens    INTEGER NOT NULL DEFAULT 0,
    cached_tokens    INTEGER NOT NULL DEFAULT 0,
    reasoning_tokens INTEGER NOT NULL DEFAULT 0,
    cost_microcents  INTEGER NOT NULL DEFAULT 0,
    latency_ms       REAL    NOT NULL DEFAULT 0,
    status           INTEGER NOT NULL,
    error_code       TEXT    NOT NULL DEFAULT '',
    streamed         INTEGER NOT NULL DEFAULT 0,
    cancelled        INTEGER NOT NULL DEFAULT 0,
    created_at       INTEGER NOT NULL
);

-- Usage reports over a time range.
CREATE INDEX usage_records_by_created ON usage_records (created_at);
-- Per-key reports and budget spend (spend_since): key first, then time.
CREATE INDEX usage_records_by_key ON usage_records (api_key_id, created_at);
