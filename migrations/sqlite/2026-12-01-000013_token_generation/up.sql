-- Revocation by generation instead of by time: an access token carries the account's
-- generation, and a password change or a disabling bumps it. Tokens carry whole
-- seconds, so one issued in the very second of a change survived a time comparison.
ALTER TABLE users ADD COLUMN token_generation INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users DROP COLUMN tokens_valid_after;
