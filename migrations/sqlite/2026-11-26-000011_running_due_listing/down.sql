DROP INDEX dossiers_running_due;
CREATE INDEX dossiers_running_due ON dossiers (processing_office_id, due_date, id, status)
    WHERE status IN ('received', 'processing', 'fee_requested');
