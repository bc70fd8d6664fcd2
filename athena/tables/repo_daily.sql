-- Generated from src/copilot_archive/core/curated_schema.py by `make tables`: edit the contract,
-- not this file (tests/unit/test_table_definitions.py fails when it is stale).
-- Placeholders (see athena/README.md): ${database}, ${bucket}, ${prefix}.
-- One row per line of the repos-1-day report.
CREATE EXTERNAL TABLE IF NOT EXISTS `${database}`.`repo_daily` (
  `repo_id` bigint,
  `repo_name` string,
  `pull_requests_total_created` bigint,
  `pull_requests_total_merged` bigint,
  `pull_requests_total_reviewed` bigint,
  `pull_requests_total_created_by_copilot` bigint,
  `pull_requests_total_reviewed_by_copilot` bigint,
  `pull_requests_total_merged_created_by_copilot` bigint,
  `pull_requests_total_merged_reviewed_by_copilot` bigint,
  `pull_requests_total_suggestions` bigint,
  `pull_requests_total_applied_suggestions` bigint,
  `pull_requests_total_copilot_suggestions` bigint,
  `pull_requests_total_copilot_applied_suggestions` bigint,
  `pull_requests_median_minutes_to_merge` double,
  `pull_requests_median_minutes_to_merge_copilot_authored` double,
  `pull_requests_median_minutes_to_merge_copilot_reviewed` double,
  `source_part` int,
  `source_line` bigint,
  `extra` string,
  `organization_id` string,
  `etl_id` string,
  `day_partition` string,
  `entity_id_partition` bigint
)
PARTITIONED BY (`enterprise` string, `day` date)
STORED AS PARQUET
LOCATION 's3://${bucket}/${prefix}/curated/enterprise/repo_daily/'
TBLPROPERTIES ('parquet.compression' = 'SNAPPY')
