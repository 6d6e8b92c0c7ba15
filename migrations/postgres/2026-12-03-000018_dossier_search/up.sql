-- The search index (src/db/search.rs): trigram GIN indexes on the folded applicant
-- name and the lower-cased code, so that `q` (LIKE '%…%') finds any substring of three
-- characters or more without reading the table. Kept by PostgreSQL in the dossier's
-- own transaction.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX dossiers_search_name ON dossiers USING gin (applicant_name_folded gin_trgm_ops);
CREATE INDEX dossiers_search_code ON dossiers USING gin (lower(code) gin_trgm_ops);
