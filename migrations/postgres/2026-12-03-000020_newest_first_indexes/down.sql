CREATE INDEX dossiers_procedure ON dossiers (procedure_id);
DROP INDEX dossiers_procedure_newest;
DROP INDEX dossiers_verdict_newest;
DROP INDEX dossiers_status_newest;
DROP INDEX dossiers_decided_elsewhere;
DROP INDEX dossiers_office_newest;
