-- SQLite's index of running dossiers by due date is now written apart from its status
-- indexes (its migration says why); PostgreSQL's planner knows how rare each status is.
SELECT 1;
