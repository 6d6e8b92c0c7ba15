-- The worklists' index also holds each dossier's id (and status, which its condition
-- already fixes), so a page is chosen from the index alone: the list of a busy subtree
-- then reads from the table only the rows it shows, not every overdue one.
DROP INDEX dossiers_running_due;
CREATE INDEX dossiers_running_due ON dossiers (processing_office_id, due_date, id, status)
    WHERE status IN ('received', 'processing', 'fee_requested');
