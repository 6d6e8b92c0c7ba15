-- The first answer to a request sent with an `Idempotency-Key`, stored in the
-- transaction that did the work: a retry after a lost answer gets it again instead of
-- doing the work twice. Keys belong to an account; they are kept 48 hours.
CREATE TABLE idempotency_keys (
    user_id TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status INTEGER NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, idempotency_key)
);
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);
