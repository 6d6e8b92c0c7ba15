ALTER TABLE offices DROP COLUMN opened_on;
