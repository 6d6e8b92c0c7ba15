-- The first day an office received dossiers (e.g. 1 July 2025 for a commune formed under
-- Decree 118/2025): back-dated receipts before it are refused. NULL: not recorded.
ALTER TABLE offices ADD COLUMN opened_on DATE;
