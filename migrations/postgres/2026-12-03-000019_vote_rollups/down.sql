DROP TABLE vote_deltas;
DROP TABLE vote_rollups;
