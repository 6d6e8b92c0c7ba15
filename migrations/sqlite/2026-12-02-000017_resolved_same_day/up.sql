-- A counter of the dossiers resolved on the day they were received ("giải quyết ngay
-- trong ngày"), which district reports track. Existing rows start at 0; the service
-- recounts the rollups from the dossiers right after this migration
-- (src/db/mod.rs, RECOUNT_AFTER), so the counter is true from the first report.
ALTER TABLE stats_deltas ADD COLUMN resolved_same_day INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stats_rollups ADD COLUMN resolved_same_day INTEGER NOT NULL DEFAULT 0;
