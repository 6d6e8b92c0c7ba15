DROP TABLE dossier_day_stats;
DROP INDEX dossiers_office_ended;
ALTER TABLE dossiers DROP COLUMN rescheduled_at;
