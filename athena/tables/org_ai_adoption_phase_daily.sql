-- Generated from src/copilot_archive/core/curated_schema.py by `make tables`: edit the contract,
-- not this file (tests/unit/test_table_definitions.py fails when it is stale).
-- Placeholders (see athena/README.md): ${database}, ${bucket}, ${prefix}.
-- One row per totals_by_ai_adoption_phase entry of the organization-1-day report.
CREATE EXTERNAL TABLE IF NOT EXISTS `${database}`.`org_ai_adoption_phase_daily` (
  `phase` string,
  `phase_number` int,
  `total_engaged_users` bigint,
  `avg_user_initiated_interactions` double,
  `avg_code_generation_activities` double,
  `avg_code_acceptance_activities` double,
  `avg_loc_added` double,
  `avg_loc_deleted` double,
  `avg_pull_requests_reviewed` double,
  `avg_pull_requests_created` double,
  `avg_pull_requests_merged` double,
  `avg_pull_requests_median_minutes_to_merge` double,
  `source_part` int,
  `source_line` bigint,
  `extra` string,
  `total_pull_requests_merged` bigint,
  `avg_pull_requests_minutes_to_review` double,
  `avg_pull_requests_review_cycles` double,
  `day` date
)
PARTITIONED BY (`organization` string, `month` string)
STORED AS PARQUET
LOCATION 's3://${bucket}/${prefix}/curated/organization/enterprise_ai_adoption_phase_daily/'
TBLPROPERTIES ('parquet.compression' = 'SNAPPY')
