DROP TABLE stats_deltas;
DROP TABLE stats_rollups;
-- Empty again: `motcua recount` of that version rebuilds it from the dossiers.
CREATE TABLE dossier_day_stats (
    office_id TEXT NOT NULL REFERENCES offices (id),
    procedure_id TEXT NOT NULL REFERENCES procedures (id),
    clerk_id TEXT NOT NULL,
    day DATE NOT NULL,
    received_in_person INTEGER NOT NULL,
    received_online INTEGER NOT NULL,
    received_postal INTEGER NOT NULL,
    ended_early INTEGER NOT NULL,
    ended_on_time INTEGER NOT NULL,
    ended_late INTEGER NOT NULL,
    refused INTEGER NOT NULL,
    withdrawn INTEGER NOT NULL,
    stopped INTEGER NOT NULL,
    rescheduled INTEGER NOT NULL,
    due INTEGER NOT NULL,
    due_met INTEGER NOT NULL,
    PRIMARY KEY (office_id, procedure_id, clerk_id, day)
);
CREATE INDEX dossier_day_stats_day ON dossier_day_stats (day);
