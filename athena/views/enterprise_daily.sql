-- The enterprise-1-day report per enterprise and day, whichever shape the file came in
-- (a flat day object or a day_totals wrapper: the indexer writes both into enterprise_day_totals).
-- loc_added_per_suggested = loc_added_sum / loc_suggested_to_add_sum (NULL when nothing was
-- suggested), the "lines kept" ratio: loc_added_sum counts agent edits, which
-- loc_suggested_to_add_sum does not, so it can exceed 1; loc_added_exceeds_suggested says so.
CREATE OR REPLACE VIEW enterprise_daily AS
SELECT
  enterprise,
  day,
  daily_active_users,
  weekly_active_users,
  monthly_active_users,
  monthly_active_chat_users,
  monthly_active_agent_users,
  daily_active_cli_users,
  user_initiated_interaction_count,
  code_generation_activity_count,
  code_acceptance_activity_count,
  CASE
    WHEN code_generation_activity_count = 0 THEN NULL
    ELSE CAST(code_acceptance_activity_count AS double) / code_generation_activity_count
  END AS acceptance_rate,
  loc_suggested_to_add_sum,
  loc_suggested_to_delete_sum,
  loc_added_sum,
  loc_deleted_sum,
  pull_requests_total_created,
  pull_requests_total_merged,
  pull_requests_total_reviewed,
  pull_requests_total_created_by_copilot,
  pull_requests_total_reviewed_by_copilot,
  pull_requests_median_minutes_to_merge,
  report_shape,
  CASE
    WHEN loc_suggested_to_add_sum = 0 THEN NULL
    ELSE CAST(loc_added_sum AS double) / loc_suggested_to_add_sum
  END AS loc_added_per_suggested,
  loc_added_sum > loc_suggested_to_add_sum AS loc_added_exceeds_suggested
FROM enterprise_day_totals
