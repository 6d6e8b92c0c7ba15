-- Yearly targets per office; an office without its own inherits its nearest ancestor's.
CREATE TABLE targets (
    office_id TEXT NOT NULL REFERENCES offices (id),
    year INTEGER NOT NULL,
    metric TEXT NOT NULL CHECK (metric IN ('on_time', 'satisfaction')),
    -- '' = every field
    field TEXT NOT NULL,
    -- in basis points: 9900 = 99 %
    value_bp INTEGER NOT NULL CHECK (value_bp BETWEEN 0 AND 10000),
    updated_by TEXT REFERENCES users (id),
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (office_id, year, metric, field)
);
