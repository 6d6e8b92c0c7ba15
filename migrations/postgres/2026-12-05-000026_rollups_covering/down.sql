ALTER TABLE stats_rollups
    DROP CONSTRAINT stats_rollups_pkey,
    ADD CONSTRAINT stats_rollups_pkey PRIMARY KEY (scope_id, dim, grain, bucket, dim_id);
