-- Quarter rows in the rollups (src/domain/rollup.rs): "everything before D" sums the
-- quarters of D's year before D's quarter instead of up to eleven months, so a report
-- of a quarter reads three rows per group where it read nine. Existing quarters are
-- summed from their months.
INSERT INTO stats_rollups (scope_id, dim, dim_id, grain, bucket, received_in_person, received_online, received_postal, ended_early, ended_on_time, ended_late, refused, withdrawn, stopped, rescheduled, due, due_met, overdue_entered, overdue_left)
SELECT scope_id, dim, dim_id, 'q', date_trunc('quarter', bucket)::date,
       SUM(received_in_person), SUM(received_online), SUM(received_postal), SUM(ended_early), SUM(ended_on_time), SUM(ended_late), SUM(refused), SUM(withdrawn), SUM(stopped), SUM(rescheduled), SUM(due), SUM(due_met), SUM(overdue_entered), SUM(overdue_left)
FROM stats_rollups
WHERE grain = 'm'
GROUP BY 1, 2, 3, 5;
