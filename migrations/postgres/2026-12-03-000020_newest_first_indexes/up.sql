-- Lists are newest first (by id) and a page long: these indexes hold each common
-- filter followed by the id, so a page is read from the top of one of them
-- (src/db/dossiers.rs, `list`): an office's dossiers, those it decides that another
-- office received, and the dossiers in a status, with a verdict or of a procedure.
CREATE INDEX dossiers_office_newest ON dossiers (office_id, id);
CREATE INDEX dossiers_decided_elsewhere ON dossiers (processing_office_id, id)
    WHERE processing_office_id <> office_id;
CREATE INDEX dossiers_status_newest ON dossiers (status, id);
CREATE INDEX dossiers_verdict_newest ON dossiers (verdict, id) WHERE verdict IS NOT NULL;
CREATE INDEX dossiers_procedure_newest ON dossiers (procedure_id, id);
-- It serves the lookups by procedure alone as well.
DROP INDEX dossiers_procedure;
