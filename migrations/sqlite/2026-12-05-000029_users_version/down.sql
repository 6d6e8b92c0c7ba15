DROP TABLE users_version;
