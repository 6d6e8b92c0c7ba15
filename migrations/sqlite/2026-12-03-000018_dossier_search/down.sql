DROP TRIGGER dossier_search_delete;
DROP TRIGGER dossier_search_update;
DROP TRIGGER dossier_search_insert;
DROP TABLE dossier_search;
