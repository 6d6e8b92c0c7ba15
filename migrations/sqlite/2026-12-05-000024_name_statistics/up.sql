-- PostgreSQL's planner samples more names (its migration says why); SQLite's search
-- index chooses by itself (src/db/search.rs, `common`).
SELECT 1;
