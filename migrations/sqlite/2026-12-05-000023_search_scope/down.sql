DROP TRIGGER dossier_search_delete;
DROP TRIGGER dossier_search_update;
DROP TRIGGER dossier_search_insert;
DROP TABLE dossier_search;

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

DROP INDEX dossiers_decided_elsewhere;
CREATE INDEX dossiers_decided_elsewhere ON dossiers (processing_office_id, id)
    WHERE processing_office_id <> office_id;
DROP INDEX dossiers_office_newest;
CREATE INDEX dossiers_office_newest ON dossiers (office_id, id);
