DROP TABLE dossier_sequences;
DROP TABLE dossier_events;
DROP TABLE dossiers;
