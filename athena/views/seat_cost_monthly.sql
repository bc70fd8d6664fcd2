-- Per enterprise and month, from the month's last seat snapshot: seats (distinct holders),
-- active_users (those holders with a users-1-day row in the month; NULL while no users-1-day
-- day of the month is indexed), inactive_seats (inactive_seats rows of that snapshot day),
-- seat_cost_usd (each holder's plan priced by seat_price, the SEAT_PRICES setting) and
-- cost_per_active_user_usd (seat_cost_usd / active_users).
CREATE OR REPLACE VIEW seat_cost_monthly AS
WITH
last_snapshot AS (
  SELECT enterprise, CAST(date_trunc('month', day) AS date) AS month, max(day) AS day
  FROM seat_daily
  GROUP BY enterprise, CAST(date_trunc('month', day) AS date)
),
holders AS (
  SELECT s.enterprise, l.month, s.day, s.user_id, max(s.plan_type) AS plan_type
  FROM seat_daily AS s
  INNER JOIN last_snapshot AS l
    ON l.enterprise = s.enterprise AND l.day = s.day
  GROUP BY s.enterprise, l.month, s.day, s.user_id
),
priced AS (
  SELECT h.enterprise, h.month, h.day, count(*) AS seats, sum(p.monthly_price_usd) AS seat_cost_usd
  FROM holders AS h
  LEFT JOIN seat_price AS p
    ON p.enterprise = h.enterprise AND p.day = h.day AND p.plan_type = h.plan_type
  GROUP BY h.enterprise, h.month, h.day
),
reported AS (
  SELECT DISTINCT enterprise, CAST(date_trunc('month', day) AS date) AS month
  FROM index_status
  WHERE report = 'users-1-day' AND indexed
),
active AS (
  SELECT h.enterprise, h.month, count(DISTINCT h.user_id) AS active_users
  FROM holders AS h
  INNER JOIN user_daily AS u
    ON u.enterprise = h.enterprise AND u.user_id = h.user_id
    AND CAST(date_trunc('month', u.day) AS date) = h.month
  GROUP BY h.enterprise, h.month
),
inactive AS (
  SELECT enterprise, day, count(*) AS inactive_seats
  FROM inactive_seats
  GROUP BY enterprise, day
)
SELECT
  p.enterprise,
  p.month,
  p.seats,
  CASE WHEN r.month IS NULL THEN NULL ELSE coalesce(a.active_users, 0) END AS active_users,
  coalesce(i.inactive_seats, 0) AS inactive_seats,
  p.seat_cost_usd,
  p.seat_cost_usd / nullif(CASE WHEN r.month IS NULL THEN NULL ELSE coalesce(a.active_users, 0) END, 0)
    AS cost_per_active_user_usd
FROM priced AS p
LEFT JOIN reported AS r
  ON r.enterprise = p.enterprise AND r.month = p.month
LEFT JOIN active AS a
  ON a.enterprise = p.enterprise AND a.month = p.month
LEFT JOIN inactive AS i
  ON i.enterprise = p.enterprise AND i.day = p.day
