-- The dashboards' counters, rolled up so a report reads a bounded number of rows
-- whatever the number of dossiers (see src/domain/rollup.rs). Replaces the per-day
-- counters, which a province-year report had to sum row by row.
DROP TABLE dossier_day_stats;

-- Counters of everything received in the subtree of `scope_id`, for the whole
-- (dim 't', dim_id ''), one procedure ('p') or one receiving clerk ('c'), over a
-- year ('y'), a month ('m') or a day ('d') starting at `bucket`. Written only by the
-- folder (src/db/stats.rs), which adds the deltas below.
CREATE TABLE stats_rollups (
    scope_id TEXT NOT NULL,
    dim TEXT NOT NULL,
    dim_id TEXT NOT NULL,
    grain TEXT NOT NULL,
    bucket DATE NOT NULL,
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
    overdue_entered INTEGER NOT NULL,
    overdue_left INTEGER NOT NULL,
    PRIMARY KEY (scope_id, dim, grain, bucket, dim_id)
);

-- What each dossier change adds to the counters of its receiving office, procedure,
-- receiving clerk ('' when unknown) and day: appended in the change's own transaction
-- (no shared row to lock), folded into stats_rollups within a second, and read
-- together with it until then, so reports are never stale.
CREATE TABLE stats_deltas (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    office_id TEXT NOT NULL,
    procedure_id TEXT NOT NULL,
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
    overdue_entered INTEGER NOT NULL,
    overdue_left INTEGER NOT NULL
);
