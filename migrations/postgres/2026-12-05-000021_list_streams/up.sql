-- Lists read a page from the top of an index for more combinations (src/db/dossier_list.rs):
-- a received range (latest received first) over the whole table and, for the dossiers
-- an office decides that another received, per office (per receiving office,
-- `dossiers_office` serves it); a verdict per office and per deciding office (ended
-- dossiers only, each written once).
CREATE INDEX dossiers_received ON dossiers (received_at);
CREATE INDEX dossiers_decided_elsewhere_received ON dossiers (processing_office_id, received_at)
    WHERE processing_office_id <> office_id;
CREATE INDEX dossiers_office_verdict ON dossiers (office_id, verdict, id)
    WHERE verdict IS NOT NULL;
CREATE INDEX dossiers_decided_elsewhere_verdict ON dossiers (processing_office_id, verdict, id)
    WHERE processing_office_id <> office_id AND verdict IS NOT NULL;
-- An office's dossiers of one procedure or in one status; for the office that decides,
-- the status index gains the id.
CREATE INDEX dossiers_office_procedure ON dossiers (office_id, procedure_id, id);
CREATE INDEX dossiers_decided_elsewhere_procedure ON dossiers (processing_office_id, procedure_id, id)
    WHERE processing_office_id <> office_id;
CREATE INDEX dossiers_office_status ON dossiers (office_id, status, id);
DROP INDEX dossiers_processing_office;
CREATE INDEX dossiers_processing_office ON dossiers (processing_office_id, status, id);
