-- When the apology letter was issued (counted as "rescheduled" on that day).
ALTER TABLE dossiers ADD COLUMN rescheduled_at TIMESTAMP;
CREATE INDEX dossiers_office_ended ON dossiers (office_id, ended_at);

-- Daily counters per receiving office, procedure and receiving clerk, kept in the same
-- transaction as every dossier change, so dashboards sum days instead of dossiers.
-- `motcua recount` rebuilds them from the dossiers.
CREATE TABLE dossier_day_stats (
    office_id TEXT NOT NULL REFERENCES offices (id),
    procedure_id TEXT NOT NULL REFERENCES procedures (id),
    -- '' when no clerk is known
    clerk_id TEXT NOT NULL,
    day DATE NOT NULL,
    -- by received date
    received_in_person INTEGER NOT NULL,
    received_online INTEGER NOT NULL,
    received_postal INTEGER NOT NULL,
    -- by the date processing ended
    ended_early INTEGER NOT NULL,
    ended_on_time INTEGER NOT NULL,
    ended_late INTEGER NOT NULL,
    refused INTEGER NOT NULL,
    withdrawn INTEGER NOT NULL,
    stopped INTEGER NOT NULL,
    -- by the date of the apology letter
    rescheduled INTEGER NOT NULL,
    -- by due date: dossiers due that day, and those of them ended early or on time
    due INTEGER NOT NULL,
    due_met INTEGER NOT NULL,
    PRIMARY KEY (office_id, procedure_id, clerk_id, day)
);
CREATE INDEX dossier_day_stats_day ON dossier_day_stats (day);
