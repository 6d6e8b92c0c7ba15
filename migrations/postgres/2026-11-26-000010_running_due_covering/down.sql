DROP INDEX dossiers_running_due;
CREATE INDEX dossiers_running_due ON dossiers (processing_office_id, due_date)
    WHERE status IN ('received', 'processing', 'fee_requested');
