-- SQLite estimates a status from a sample of 1,000 index entries (analysis_limit) and
-- took each for ~1,000 dossiers: it read the overdue list through
-- `dossiers_status_newest` instead of 000027's index (1.1 s p99 at 10 M). The index's
-- condition is now written with a unary plus, which no status index can serve: the
-- overdue list names it so (src/db/dossier_list.rs) and gets this index alone.
DROP INDEX dossiers_running_by_due;
CREATE INDEX dossiers_running_by_due ON dossiers (due_date, id)
    WHERE +status IN ('received', 'processing', 'fee_requested');
