-- Seat holders per enterprise and snapshot day (seat_daily), and how many of them used Copilot:
--   seats: distinct holders (GitHub's total_seats: a user seated through two organizations
--     counts once); pending_cancellation: distinct holders whose seat has a cancellation date;
--   active_users: holders with a users-1-day row that day, counted as active_users_daily counts
--     (distinct user_id); NULL, never 0, while that day's users-1-day is not indexed;
--   active_share: active_users / seats.
CREATE OR REPLACE VIEW seats_daily AS
WITH
holders AS (
  SELECT
    enterprise,
    day,
    user_id,
    max(CASE WHEN pending_cancellation_date IS NOT NULL THEN 1 ELSE 0 END) AS pending
  FROM seat_daily
  GROUP BY enterprise, day, user_id
),
reported AS (
  SELECT DISTINCT enterprise, day
  FROM index_status
  WHERE report = 'users-1-day' AND indexed
),
counted AS (
  SELECT
    h.enterprise,
    h.day,
    count(*) AS seats,
    count(DISTINCT u.user_id) AS active_holders,
    sum(h.pending) AS pending_cancellation
  FROM holders AS h
  LEFT JOIN user_daily AS u
    ON u.enterprise = h.enterprise AND u.day = h.day AND u.user_id = h.user_id
  GROUP BY h.enterprise, h.day
)
SELECT
  c.enterprise,
  c.day,
  c.seats,
  CASE WHEN r.day IS NULL THEN NULL ELSE c.active_holders END AS active_users,
  CASE WHEN r.day IS NULL THEN NULL ELSE CAST(c.active_holders AS double) / c.seats END AS active_share,
  c.pending_cancellation
FROM counted AS c
LEFT JOIN reported AS r
  ON r.enterprise = c.enterprise AND r.day = c.day
