DROP INDEX dossiers_decided_elsewhere;
CREATE INDEX dossiers_decided_elsewhere ON dossiers (processing_office_id, id)
    WHERE processing_office_id <> office_id;
DROP INDEX dossiers_office_newest;
CREATE INDEX dossiers_office_newest ON dossiers (office_id, id);
