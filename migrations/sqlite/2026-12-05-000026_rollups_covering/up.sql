-- PostgreSQL's rollups key now carries the counters (its migration says why);
-- SQLite's table is clustered on its key already.
SELECT 1;
