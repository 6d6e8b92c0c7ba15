-- Quarter rows in the rollups (src/domain/rollup.rs): "everything before D" sums the
-- quarters of D's year before D's quarter instead of up to eleven months, so a report
-- of a quarter reads three rows per group where it read nine. Existing quarters are
-- summed from their months.
--
-- On SQLite the table also becomes WITHOUT ROWID: reports and the folder look rows up
-- by their primary key, which is then the table itself (one b-tree walk, not two).
CREATE TABLE stats_rollups_new (
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
) WITHOUT ROWID;

INSERT INTO stats_rollups_new SELECT * FROM stats_rollups WHERE grain <> 'q';

INSERT INTO stats_rollups_new (scope_id, dim, dim_id, grain, bucket, received_in_person, received_online, received_postal, ended_early, ended_on_time, ended_late, refused, withdrawn, stopped, rescheduled, due, due_met, overdue_entered, overdue_left)
SELECT scope_id, dim, dim_id, 'q',
       date(bucket, '-' || ((CAST(strftime('%m', bucket) AS INTEGER) - 1) % 3) || ' months'),
       SUM(received_in_person), SUM(received_online), SUM(received_postal), SUM(ended_early), SUM(ended_on_time), SUM(ended_late), SUM(refused), SUM(withdrawn), SUM(stopped), SUM(rescheduled), SUM(due), SUM(due_met), SUM(overdue_entered), SUM(overdue_left)
FROM stats_rollups
WHERE grain = 'm'
GROUP BY 1, 2, 3, 5;

DROP TABLE stats_rollups;
ALTER TABLE stats_rollups_new RENAME TO stats_rollups;
