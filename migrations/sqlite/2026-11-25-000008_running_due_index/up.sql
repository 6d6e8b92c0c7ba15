-- The overdue and due-soon worklists: dossiers whose clock runs (received, processing,
-- fee_requested) by deciding office and due date. A worklist reads only the rows
-- past (or near) their due date in its subtree, where the (office, status) index
-- read every open dossier of the subtree, a number that grows with the traffic.
-- The status list must match the query's literal (src/db/dossiers.rs, `due_between`)
-- for the planner to know it may use this partial index.
CREATE INDEX dossiers_running_due ON dossiers (processing_office_id, due_date)
    WHERE status IN ('received', 'processing', 'fee_requested');
