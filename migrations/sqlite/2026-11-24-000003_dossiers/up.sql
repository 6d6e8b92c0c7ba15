CREATE TABLE dossiers (
    id TEXT PRIMARY KEY NOT NULL,
    code TEXT NOT NULL UNIQUE,
    -- the receiving desk, and the office currently deciding (another one after a transfer)
    office_id TEXT NOT NULL REFERENCES offices (id),
    processing_office_id TEXT NOT NULL REFERENCES offices (id),
    procedure_id TEXT NOT NULL REFERENCES procedures (id),
    channel TEXT NOT NULL CHECK (channel IN ('in_person', 'online', 'postal')),
    status TEXT NOT NULL,
    applicant_name TEXT NOT NULL,
    -- lower case without diacritics, for searching
    applicant_name_folded TEXT NOT NULL,
    applicant_id_number TEXT,
    applicant_phone TEXT,
    applicant_email TEXT,
    applicant_address TEXT,
    -- the procedure's deadline when the dossier was filed
    deadline_value INTEGER NOT NULL,
    deadline_unit TEXT NOT NULL,
    submitted_at TIMESTAMP NOT NULL,
    received_at TIMESTAMP,
    due_at TIMESTAMP,
    due_date DATE,
    -- closed supplement waits, JSON [{"from": ..., "to": ...}]
    pauses TEXT NOT NULL,
    paused_since TIMESTAMP,
    supplement_requests INTEGER NOT NULL,
    -- the new appointment after an apology letter (at most one)
    appointment_date DATE,
    ended_at TIMESTAMP,
    verdict TEXT CHECK (verdict IN ('early', 'on_time', 'late')),
    outcome TEXT CHECK (outcome IN ('approved', 'denied')),
    created_by TEXT REFERENCES users (id),
    version INTEGER NOT NULL,
    last_event_at TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX dossiers_office ON dossiers (office_id, received_at);
CREATE INDEX dossiers_processing_office ON dossiers (processing_office_id, status);
CREATE INDEX dossiers_status_due ON dossiers (status, due_date);
CREATE INDEX dossiers_procedure ON dossiers (procedure_id);

-- Append-only: nothing updates or deletes these rows.
CREATE TABLE dossier_events (
    id TEXT PRIMARY KEY NOT NULL,
    dossier_id TEXT NOT NULL REFERENCES dossiers (id),
    -- the dossier's version after this event
    version INTEGER NOT NULL,
    event_type TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT NOT NULL,
    actor_id TEXT REFERENCES users (id),
    -- when it happened, and when it was written down (differ for back-entry and imports)
    at TIMESTAMP NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    back_dated BOOLEAN NOT NULL,
    note TEXT,
    data TEXT NOT NULL,
    UNIQUE (dossier_id, version)
);

-- Code sequence per receiving office per local day: gap-free, never reused.
CREATE TABLE dossier_sequences (
    office_id TEXT NOT NULL REFERENCES offices (id),
    day DATE NOT NULL,
    last_value INTEGER NOT NULL,
    PRIMARY KEY (office_id, day)
);
