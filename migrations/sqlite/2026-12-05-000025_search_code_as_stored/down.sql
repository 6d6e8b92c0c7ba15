-- PostgreSQL's trigram index on codes now holds them as stored (its migration says
-- why); SQLite's search index is unchanged.
SELECT 1;
