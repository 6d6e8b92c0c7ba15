DROP TABLE votes;
DROP TABLE office_kiosk_ratings;
DROP TABLE kiosks;
