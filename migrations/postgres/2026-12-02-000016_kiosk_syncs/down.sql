DROP TABLE kiosk_syncs;
