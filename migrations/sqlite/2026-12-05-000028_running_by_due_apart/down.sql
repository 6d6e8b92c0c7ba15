DROP INDEX dossiers_running_by_due;
CREATE INDEX dossiers_running_by_due ON dossiers (due_date, id)
    WHERE status IN ('received', 'processing', 'fee_requested');
