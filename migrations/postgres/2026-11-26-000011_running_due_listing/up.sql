-- The worklists' index holds every column a worklist shows, so the list of a busy
-- subtree is read from the index alone: no table row is visited, however many
-- dossiers the table holds (000010 chose the page's ids from the index, then read its
-- rows one by one, which cost more than it saved).
DROP INDEX dossiers_running_due;
CREATE INDEX dossiers_running_due ON dossiers (processing_office_id, due_date, id)
    INCLUDE (status, code, applicant_name, office_id, appointment_date, procedure_id)
    WHERE status IN ('received', 'processing', 'fee_requested');
