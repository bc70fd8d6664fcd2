-- Pull requests per repository and day, as repos-1-day reports them (the day is the report's).
CREATE OR REPLACE VIEW repo_pull_requests_daily AS
SELECT
  enterprise,
  repo_id,
  repo_name,
  day,
  pull_requests_total_created AS total_created,
  pull_requests_total_merged AS total_merged,
  pull_requests_total_reviewed AS total_reviewed,
  pull_requests_total_created_by_copilot AS total_created_by_copilot,
  pull_requests_total_reviewed_by_copilot AS total_reviewed_by_copilot,
  pull_requests_total_merged_created_by_copilot AS total_merged_created_by_copilot,
  pull_requests_total_merged_reviewed_by_copilot AS total_merged_reviewed_by_copilot,
  pull_requests_total_suggestions AS total_suggestions,
  pull_requests_total_applied_suggestions AS total_applied_suggestions,
  pull_requests_total_copilot_suggestions AS total_copilot_suggestions,
  pull_requests_total_copilot_applied_suggestions AS total_copilot_applied_suggestions,
  pull_requests_median_minutes_to_merge AS median_minutes_to_merge,
  pull_requests_median_minutes_to_merge_copilot_authored AS median_minutes_to_merge_copilot_authored,
  pull_requests_median_minutes_to_merge_copilot_reviewed AS median_minutes_to_merge_copilot_reviewed
FROM repo_daily
