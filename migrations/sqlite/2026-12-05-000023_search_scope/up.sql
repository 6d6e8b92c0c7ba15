-- A clerk's search no longer checks the province's matches one dossier at a time
-- (src/db/search.rs, src/db/dossier_list.rs):
-- - a common term is checked along the office's newest dossiers, from indexes that
--   carry the name and the code;
-- - a rare one is found in the search index, which learns where each dossier is: a
--   third column holds a token of its receiving office and one of its deciding office
--   (the last three characters of their ids). Contentless: a deleted entry needs its
--   rowid only, not the text it was made of.
DROP INDEX dossiers_office_newest;
CREATE INDEX dossiers_office_newest ON dossiers (office_id, id, applicant_name_folded, code);
DROP INDEX dossiers_decided_elsewhere;
CREATE INDEX dossiers_decided_elsewhere
    ON dossiers (processing_office_id, id, applicant_name_folded, code)
    WHERE processing_office_id <> office_id;

DROP TRIGGER dossier_search_delete;
DROP TRIGGER dossier_search_update;
DROP TRIGGER dossier_search_insert;
DROP TABLE dossier_search;

CREATE VIRTUAL TABLE dossier_search USING fts5(
    applicant_name_folded, code, offices,
    content = '', contentless_delete = 1, tokenize = 'trigram'
);

CREATE TRIGGER dossier_search_insert AFTER INSERT ON dossiers BEGIN
    INSERT INTO dossier_search (rowid, applicant_name_folded, code, offices)
    VALUES (new.rowid, new.applicant_name_folded, new.code,
            substr(new.office_id, -3) || ' ' || substr(new.processing_office_id, -3));
END;

-- A transfer moves the dossier to another deciding office; a step does not touch it.
CREATE TRIGGER dossier_search_update AFTER UPDATE ON dossiers
WHEN old.applicant_name_folded IS NOT new.applicant_name_folded OR old.code IS NOT new.code
    OR old.office_id IS NOT new.office_id
    OR old.processing_office_id IS NOT new.processing_office_id
BEGIN
    DELETE FROM dossier_search WHERE rowid = old.rowid;
    INSERT INTO dossier_search (rowid, applicant_name_folded, code, offices)
    VALUES (new.rowid, new.applicant_name_folded, new.code,
            substr(new.office_id, -3) || ' ' || substr(new.processing_office_id, -3));
END;

CREATE TRIGGER dossier_search_delete AFTER DELETE ON dossiers BEGIN
    DELETE FROM dossier_search WHERE rowid = old.rowid;
END;

INSERT INTO dossier_search (rowid, applicant_name_folded, code, offices)
SELECT rowid, applicant_name_folded, code,
       substr(office_id, -3) || ' ' || substr(processing_office_id, -3)
FROM dossiers;
-- One segment: each term of a search is looked up once (src/db/search.rs, REBUILD).
INSERT INTO dossier_search (dossier_search) VALUES ('optimize');
