ALTER TABLE stats_rollups DROP COLUMN resolved_same_day;
ALTER TABLE stats_deltas DROP COLUMN resolved_same_day;
