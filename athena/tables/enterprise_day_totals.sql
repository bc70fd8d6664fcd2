-- Columns mirror src/copilot_archive/curated_schema.py; tests/unit/test_sql_files.py fails on drift.
-- Monthly: one file per enterprise and month, `day` a column (see curated_schema.py).
-- Placeholders (see athena/README.md): ${database}, ${bucket}, ${prefix}.
-- One row per enterprise-1-day day element (flat or day_totals wrapper).
CREATE EXTERNAL TABLE IF NOT EXISTS `${database}`.`enterprise_day_totals` (
  `enterprise_id` string,
  `daily_active_users` bigint,
  `weekly_active_users` bigint,
  `monthly_active_users` bigint,
  `monthly_active_chat_users` bigint,
  `monthly_active_agent_users` bigint,
  `daily_active_cli_users` bigint,
  `user_initiated_interaction_count` bigint,
  `code_generation_activity_count` bigint,
  `code_acceptance_activity_count` bigint,
  `loc_suggested_to_add_sum` bigint,
  `loc_suggested_to_delete_sum` bigint,
  `loc_added_sum` bigint,
  `loc_deleted_sum` bigint,
  `pull_requests_total_created` bigint,
  `pull_requests_total_merged` bigint,
  `pull_requests_total_reviewed` bigint,
  `pull_requests_total_created_by_copilot` bigint,
  `pull_requests_total_reviewed_by_copilot` bigint,
  `pull_requests_median_minutes_to_merge` double,
  `report_shape` string,
  `source_part` int,
  `source_line` bigint,
  `extra` string,
  `daily_active_copilot_cloud_agent_users` bigint,
  `weekly_active_copilot_cloud_agent_users` bigint,
  `monthly_active_copilot_cloud_agent_users` bigint,
  `daily_active_copilot_code_review_users` bigint,
  `weekly_active_copilot_code_review_users` bigint,
  `monthly_active_copilot_code_review_users` bigint,
  `daily_passive_copilot_code_review_users` bigint,
  `weekly_passive_copilot_code_review_users` bigint,
  `monthly_passive_copilot_code_review_users` bigint,
  `pull_requests_total_suggestions` bigint,
  `pull_requests_total_applied_suggestions` bigint,
  `pull_requests_total_merged_created_by_copilot` bigint,
  `pull_requests_total_merged_reviewed_by_copilot` bigint,
  `pull_requests_total_copilot_suggestions` bigint,
  `pull_requests_total_copilot_applied_suggestions` bigint,
  `pull_requests_median_minutes_to_merge_copilot_authored` double,
  `pull_requests_median_minutes_to_merge_copilot_reviewed` double,
  `organization_id` string,
  `etl_id` string,
  `day_partition` string,
  `entity_id_partition` bigint,
  `day` date
)
PARTITIONED BY (`enterprise` string, `month` string)
STORED AS PARQUET
LOCATION 's3://${bucket}/${prefix}/curated/enterprise/enterprise_day_totals/'
TBLPROPERTIES ('parquet.compression' = 'SNAPPY')
