DROP INDEX dossiers_running_newest;
