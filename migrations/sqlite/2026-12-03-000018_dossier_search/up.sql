-- The search index (src/db/search.rs): every trigram of the folded applicant name and
-- of the code, so that `q` finds any substring of three characters or more without
-- reading the table. External content: the index keeps no copy of the text, only
-- the dossier's rowid, and FTS5 returns matches newest-stored first without sorting.
-- The triggers keep it in the dossier's own transaction; an update that leaves the
-- name and code alone (every step) does not touch it.
CREATE VIRTUAL TABLE dossier_search USING fts5(
    applicant_name_folded, code,
    content = 'dossiers', content_rowid = 'rowid', columnsize = 0, tokenize = 'trigram'
);

CREATE TRIGGER dossier_search_insert AFTER INSERT ON dossiers BEGIN
    INSERT INTO dossier_search (rowid, applicant_name_folded, code)
    VALUES (new.rowid, new.applicant_name_folded, new.code);
END;

CREATE TRIGGER dossier_search_update AFTER UPDATE ON dossiers
WHEN old.applicant_name_folded IS NOT new.applicant_name_folded OR old.code IS NOT new.code
BEGIN
    INSERT INTO dossier_search (dossier_search, rowid, applicant_name_folded, code)
    VALUES ('delete', old.rowid, old.applicant_name_folded, old.code);
    INSERT INTO dossier_search (rowid, applicant_name_folded, code)
    VALUES (new.rowid, new.applicant_name_folded, new.code);
END;

CREATE TRIGGER dossier_search_delete AFTER DELETE ON dossiers BEGIN
    INSERT INTO dossier_search (dossier_search, rowid, applicant_name_folded, code)
    VALUES ('delete', old.rowid, old.applicant_name_folded, old.code);
END;

INSERT INTO dossier_search (dossier_search) VALUES ('rebuild');
