DROP INDEX dossiers_running_by_due;
CREATE INDEX dossiers_status_due ON dossiers (status, due_date);
CREATE INDEX dossiers_running_newest ON dossiers (id, due_date)
    WHERE status IN ('received', 'processing', 'fee_requested');
