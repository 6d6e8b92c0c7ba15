DROP TABLE procedures;
DROP TABLE revoked_tokens;
DROP TABLE users;
DROP TABLE offices;
