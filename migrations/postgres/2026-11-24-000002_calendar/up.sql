-- Holidays and swapped working days; weekends are implied by the weekly pattern.
CREATE TABLE calendar_exceptions (
    day DATE PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('holiday', 'working_day')),
    name TEXT NOT NULL,
    -- computed from the Labour Code, not yet confirmed against the Prime Minister's notice
    provisional BOOLEAN NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- Years whose shipped holidays were loaded once, so an admin's deletion sticks.
CREATE TABLE calendar_years (
    year INTEGER PRIMARY KEY NOT NULL,
    seeded_at TIMESTAMP NOT NULL
);
