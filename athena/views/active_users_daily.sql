-- Distinct users present in users-1-day, per enterprise and day.
CREATE OR REPLACE VIEW active_users_daily AS
SELECT
  enterprise,
  day,
  count(DISTINCT user_id) AS active_users
FROM user_daily
GROUP BY enterprise, day
