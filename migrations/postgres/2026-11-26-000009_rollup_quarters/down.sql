DELETE FROM stats_rollups WHERE grain = 'q';
