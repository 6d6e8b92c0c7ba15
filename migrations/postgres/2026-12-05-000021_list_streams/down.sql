DROP INDEX dossiers_processing_office;
CREATE INDEX dossiers_processing_office ON dossiers (processing_office_id, status);
DROP INDEX dossiers_office_status;
DROP INDEX dossiers_decided_elsewhere_procedure;
DROP INDEX dossiers_office_procedure;
DROP INDEX dossiers_decided_elsewhere_verdict;
DROP INDEX dossiers_office_verdict;
DROP INDEX dossiers_decided_elsewhere_received;
DROP INDEX dossiers_received;
