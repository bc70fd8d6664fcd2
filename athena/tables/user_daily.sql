-- Generated from src/copilot_archive/core/curated_schema.py by `make tables`: edit the contract,
-- not this file (tests/unit/test_table_definitions.py fails when it is stale).
-- Placeholders (see athena/README.md): ${database}, ${bucket}, ${prefix}.
-- One row per line of the users-1-day report.
CREATE EXTERNAL TABLE IF NOT EXISTS `${database}`.`user_daily` (
  `enterprise_id` string,
  `user_id` bigint,
  `user_login` string,
  `user_initiated_interaction_count` bigint,
  `code_generation_activity_count` bigint,
  `code_acceptance_activity_count` bigint,
  `loc_suggested_to_add_sum` bigint,
  `loc_suggested_to_delete_sum` bigint,
  `loc_added_sum` bigint,
  `loc_deleted_sum` bigint,
  `used_agent` boolean,
  `used_chat` boolean,
  `used_cli` boolean,
  `used_copilot_coding_agent` boolean,
  `used_copilot_cloud_agent` boolean,
  `used_copilot_code_review_active` boolean,
  `used_copilot_code_review_passive` boolean,
  `ai_credits_used` double,
  `ai_adoption_phase` string,
  `ai_adoption_phase_number` int,
  `ai_adoption_phase_version` string,
  `source_part` int,
  `source_line` bigint,
  `extra` string,
  `organization_id` string,
  `etl_id` string,
  `day_partition` string,
  `entity_id_partition` bigint,
  `used_copilot_app` boolean,
  `reduced_shape` boolean
)
PARTITIONED BY (`enterprise` string, `day` date)
STORED AS PARQUET
LOCATION 's3://${bucket}/${prefix}/curated/enterprise/user_daily/'
TBLPROPERTIES ('parquet.compression' = 'SNAPPY')
