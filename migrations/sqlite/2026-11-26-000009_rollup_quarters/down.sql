CREATE TABLE stats_rollups_old (
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

INSERT INTO stats_rollups_old SELECT * FROM stats_rollups WHERE grain <> 'q';
DROP TABLE stats_rollups;
ALTER TABLE stats_rollups_old RENAME TO stats_rollups;
