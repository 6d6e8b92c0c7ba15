-- A report reads a few rows per group (years, quarters, months) spread over the
-- whole table: by clerk, a quarter of a province read 972 rows from 817 heap pages
-- (2 of its 2.4 ms). The key now carries the counters, so a report reads them from
-- the index alone (SQLite's table is already clustered on its key, WITHOUT ROWID).
ALTER TABLE stats_rollups
    DROP CONSTRAINT stats_rollups_pkey,
    ADD CONSTRAINT stats_rollups_pkey PRIMARY KEY (scope_id, dim, grain, bucket, dim_id)
        INCLUDE (received_in_person, received_online, received_postal, ended_early,
            ended_on_time, ended_late, refused, withdrawn, stopped, rescheduled,
            resolved_same_day, due, due_met, overdue_entered, overdue_left);
