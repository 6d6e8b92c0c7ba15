DROP INDEX dossiers_running_due;
