-- A clerk's search reads their office's newest dossiers and checks the name and code
-- of each (src/db/dossier_list.rs): the indexes it walks carry both, so that a common
-- name is found from the index alone instead of a random read per dossier.
DROP INDEX dossiers_office_newest;
CREATE INDEX dossiers_office_newest ON dossiers (office_id, id)
    INCLUDE (applicant_name_folded, code);
DROP INDEX dossiers_decided_elsewhere;
CREATE INDEX dossiers_decided_elsewhere ON dossiers (processing_office_id, id)
    INCLUDE (applicant_name_folded, code) WHERE processing_office_id <> office_id;
