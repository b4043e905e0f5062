-- Companies (tenants), users, sign-in sessions, enrollment, devices, sessions.
-- Times are Unix milliseconds. Every customer-owned row carries company_id.

CREATE TABLE companies (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    company_id TEXT NOT NULL REFERENCES companies(id),
    email TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL
);
CREATE INDEX users_company ON users(company_id);

CREATE TABLE web_sessions (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    company_id TEXT NOT NULL REFERENCES companies(id),
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX web_sessions_user ON web_sessions(user_id);

CREATE TABLE setup_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);

CREATE TABLE device_groups (
    id TEXT PRIMARY KEY NOT NULL,
    company_id TEXT NOT NULL REFERENCES companies(id),
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (company_id, name)
);

CREATE TABLE enrollment_tokens (
    id TEXT PRIMARY KEY NOT NULL,
    company_id TEXT NOT NULL REFERENCES companies(id),
    token_hash TEXT NOT NULL UNIQUE,
    device_group_id TEXT REFERENCES device_groups(id),
    max_uses BIGINT NOT NULL,
    uses BIGINT NOT NULL DEFAULT 0,
    expires_at BIGINT NOT NULL,
    created_by TEXT,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX enrollment_tokens_company ON enrollment_tokens(company_id);

CREATE TABLE devices (
    id TEXT PRIMARY KEY NOT NULL,
    company_id TEXT NOT NULL REFERENCES companies(id),
    device_group_id TEXT REFERENCES device_groups(id),
    nickname TEXT NOT NULL,
    hostname TEXT NOT NULL,
    os TEXT NOT NULL,
    ip_addresses TEXT NOT NULL,
    agent_version TEXT NOT NULL,
    public_key TEXT NOT NULL UNIQUE,
    enrollment_token_id TEXT REFERENCES enrollment_tokens(id),
    enrolled_at BIGINT NOT NULL,
    last_seen BIGINT,
    revoked_at BIGINT
);
CREATE INDEX devices_company ON devices(company_id);

CREATE TABLE sessions (
    id TEXT PRIMARY KEY NOT NULL,
    company_id TEXT NOT NULL REFERENCES companies(id),
    device_id TEXT NOT NULL REFERENCES devices(id),
    technician_id TEXT NOT NULL REFERENCES users(id),
    started_at BIGINT NOT NULL,
    ended_at BIGINT,
    end_reason TEXT
);
CREATE INDEX sessions_company_started ON sessions(company_id, started_at);
