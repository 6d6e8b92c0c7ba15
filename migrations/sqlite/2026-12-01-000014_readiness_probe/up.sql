-- One row that `/ready` rewrites: readiness means the database takes a write now.
CREATE TABLE readiness_probe (
    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    written_at TIMESTAMP NOT NULL
);
INSERT INTO readiness_probe (id, written_at) VALUES (1, CURRENT_TIMESTAMP);
