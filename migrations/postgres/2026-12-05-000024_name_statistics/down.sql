ALTER TABLE dossiers ALTER COLUMN applicant_name_folded SET STATISTICS -1;
