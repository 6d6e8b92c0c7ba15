-- The overdue list (`overdue=true` over a wide scope) reads the newest dossiers whose
-- clock runs and checks their due date from the index (src/db/dossier_list.rs): a page
-- is read from its top however many are overdue. Only running dossiers are in it.
CREATE INDEX dossiers_running_newest ON dossiers (id, due_date)
    WHERE status IN ('received', 'processing', 'fee_requested');
