-- The satisfaction report's counters, rolled up like the on-time ones
-- (src/db/vote_stats.rs, src/domain/rollup.rs): votes per rating of everything cast in
-- the subtree of `scope_id`, for the whole (dim 't', dim_id ''), one procedure ('p'),
-- one clerk ('c'), one local hour ('h', '0'..'23') or weekday ('w', '0' = Monday), over
-- a year, quarter, month or day starting at `bucket`. Written only by the folder.
-- Filled from the stored votes right after this migration (src/db/mod.rs).
CREATE TABLE vote_rollups (
    scope_id TEXT NOT NULL,
    dim TEXT NOT NULL,
    dim_id TEXT NOT NULL,
    grain TEXT NOT NULL,
    bucket DATE NOT NULL,
    very_satisfied INTEGER NOT NULL,
    satisfied INTEGER NOT NULL,
    neutral INTEGER NOT NULL,
    unsatisfied INTEGER NOT NULL,
    PRIMARY KEY (scope_id, dim, grain, bucket, dim_id)
) WITHOUT ROWID;

-- What each stored vote group adds, per office, procedure, clerk ('' when unknown),
-- local day and hour: appended in the group's own transaction, folded into
-- vote_rollups within a second, read together with it until then.
CREATE TABLE vote_deltas (
    id INTEGER PRIMARY KEY,
    office_id TEXT NOT NULL,
    procedure_id TEXT NOT NULL,
    clerk_id TEXT NOT NULL,
    day DATE NOT NULL,
    hour INTEGER NOT NULL,
    weekday INTEGER NOT NULL,
    very_satisfied INTEGER NOT NULL,
    satisfied INTEGER NOT NULL,
    neutral INTEGER NOT NULL,
    unsatisfied INTEGER NOT NULL
);
