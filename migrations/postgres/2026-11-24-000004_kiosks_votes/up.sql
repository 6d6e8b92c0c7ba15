-- Kiosk and tablet devices at the desk. The token is shown once and kept only as a hash.
CREATE TABLE kiosks (
    id TEXT PRIMARY KEY NOT NULL,
    office_id TEXT NOT NULL REFERENCES offices (id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_by TEXT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at TIMESTAMP
);
CREATE INDEX kiosks_office ON kiosks (office_id);

-- The faces an office's kiosks show (JSON list of ratings); absent = inherited.
CREATE TABLE office_kiosk_ratings (
    office_id TEXT PRIMARY KEY NOT NULL REFERENCES offices (id),
    ratings TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE votes (
    -- the kiosk's own UUID: the idempotency key
    id TEXT PRIMARY KEY NOT NULL,
    kiosk_id TEXT NOT NULL REFERENCES kiosks (id),
    office_id TEXT NOT NULL REFERENCES offices (id),
    rating TEXT NOT NULL CHECK (rating IN ('very_satisfied', 'satisfied', 'neutral', 'unsatisfied')),
    cast_at TIMESTAMP NOT NULL,
    -- local (UTC+7) date and hour of cast_at, for grouping without date functions
    cast_date DATE NOT NULL,
    cast_hour INTEGER NOT NULL,
    received_at TIMESTAMP NOT NULL,
    -- one vote per dossier
    dossier_id TEXT UNIQUE REFERENCES dossiers (id),
    procedure_id TEXT REFERENCES procedures (id),
    clerk_id TEXT REFERENCES users (id),
    reason TEXT,
    -- digest of what the kiosk sent, to tell a replay from a different vote
    content_hash TEXT NOT NULL
);
CREATE INDEX votes_office_date ON votes (office_id, cast_date);
CREATE INDEX votes_kiosk_cast ON votes (kiosk_id, cast_at);
