-- What each kiosk last said of its queue (POST /api/v1/kiosk/heartbeat), so managers
-- see the kiosks that stopped syncing or have votes waiting.
CREATE TABLE kiosk_syncs (
    kiosk_id TEXT PRIMARY KEY NOT NULL REFERENCES kiosks (id),
    synced_at TIMESTAMP NOT NULL,
    queue_depth INTEGER NOT NULL,
    oldest_pending_at TIMESTAMP,
    rejected INTEGER NOT NULL,
    app_version TEXT NOT NULL
);
