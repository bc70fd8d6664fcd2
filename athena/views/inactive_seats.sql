-- For every snapshot day, each seat holder with no users-1-day row in the 30 days up to that day
-- (day - 29 .. day). last_active_day is the holder's last day in the archive's users reports, up
-- to that day; GitHub's last_activity_at only where the archive has none (GitHub clears it after
-- 90 days, the archive keeps every day). monthly_price_usd is the holder's plan's price as the
-- SEAT_PRICES setting said when the snapshot was indexed (seat_price): no price is written here.
CREATE OR REPLACE VIEW inactive_seats AS
WITH
holders AS (
  SELECT
    enterprise,
    day,
    user_id,
    max(user_login) AS user_login,
    max(plan_type) AS plan_type,
    CAST(min(created_at) AS date) AS assigned_on,
    CAST(max(last_activity_at) AS date) AS github_last_active
  FROM seat_daily
  GROUP BY enterprise, day, user_id
),
archived AS (
  SELECT h.enterprise, h.day, h.user_id, max(u.day) AS last_active_day
  FROM holders AS h
  INNER JOIN user_daily AS u
    ON u.enterprise = h.enterprise AND u.user_id = h.user_id AND u.day <= h.day
  GROUP BY h.enterprise, h.day, h.user_id
)
SELECT
  h.enterprise,
  h.day,
  h.user_login,
  h.plan_type,
  h.assigned_on,
  coalesce(a.last_active_day, h.github_last_active) AS last_active_day,
  date_diff('day', coalesce(a.last_active_day, h.github_last_active), h.day) AS days_inactive,
  p.monthly_price_usd
FROM holders AS h
LEFT JOIN archived AS a
  ON a.enterprise = h.enterprise AND a.day = h.day AND a.user_id = h.user_id
LEFT JOIN seat_price AS p
  ON p.enterprise = h.enterprise AND p.day = h.day AND p.plan_type = h.plan_type
WHERE a.last_active_day IS NULL OR a.last_active_day < CAST(h.day - INTERVAL '29' DAY AS date)
