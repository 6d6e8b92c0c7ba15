CREATE TABLE offices (
    id TEXT PRIMARY KEY NOT NULL,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    level TEXT NOT NULL CHECK (level IN ('province', 'district', 'commune')),
    parent_id TEXT REFERENCES offices (id),
    -- materialized path "/root-id/child-id/.../own-id/": a subtree is one range scan
    path TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX offices_parent_id ON offices (parent_id);

CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    full_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'manager', 'clerk')),
    office_id TEXT REFERENCES offices (id),
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    -- tokens issued before this instant are revoked (password change, disabling)
    tokens_valid_after TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX users_office_id ON users (office_id);

CREATE TABLE revoked_tokens (
    jti TEXT PRIMARY KEY NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX revoked_tokens_expires_at ON revoked_tokens (expires_at);

CREATE TABLE procedures (
    id TEXT PRIMARY KEY NOT NULL,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    field TEXT NOT NULL,
    deadline_value INTEGER NOT NULL CHECK (deadline_value > 0),
    deadline_unit TEXT NOT NULL CHECK (deadline_unit IN ('working_days', 'working_hours', 'calendar_days')),
    online_level TEXT NOT NULL CHECK (online_level IN ('full', 'partial', 'none')),
    fee BIGINT CHECK (fee >= 0),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX procedures_field ON procedures (field);
