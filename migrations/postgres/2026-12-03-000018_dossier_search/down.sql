DROP INDEX dossiers_search_code;
DROP INDEX dossiers_search_name;
