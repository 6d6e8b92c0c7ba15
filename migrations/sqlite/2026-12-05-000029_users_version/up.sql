-- One number, raised in the transaction of every change to `users`: a server keeps
-- users' names for report labels and reads them again only when it has moved.
CREATE TABLE users_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO users_version (id, version) VALUES (1, 0);
