DROP INDEX dossiers_search_code;
CREATE INDEX dossiers_search_code ON dossiers USING gin (lower(code) gin_trgm_ops);
