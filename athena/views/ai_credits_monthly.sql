-- AI credits each user consumed per calendar month: users-1-day's `ai_credits_used` summed. A
-- metrics signal GitHub derives from its billing data, not a bill (billed_usage_monthly is the
-- bill, where billing usage is archived). NULL for a user whose days report no credits.
CREATE OR REPLACE VIEW ai_credits_monthly AS
SELECT
  enterprise,
  CAST(date_trunc('month', day) AS date) AS month,
  user_login,
  sum(ai_credits_used) AS ai_credits
FROM user_daily
GROUP BY enterprise, CAST(date_trunc('month', day) AS date), user_login
