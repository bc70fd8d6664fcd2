-- Generated from src/copilot_archive/core/curated_schema.py by `make tables`: edit the contract,
-- not this file (tests/unit/test_table_definitions.py fails when it is stale).
-- Placeholders (see athena/README.md): ${database}, ${bucket}, ${prefix}.
-- One row per totals_by_feature entry of the organization-1-day report.
CREATE EXTERNAL TABLE IF NOT EXISTS `${database}`.`org_feature_daily` (
  `feature` string,
  `user_initiated_interaction_count` bigint,
  `code_generation_activity_count` bigint,
  `code_acceptance_activity_count` bigint,
  `loc_suggested_to_add_sum` bigint,
  `loc_suggested_to_delete_sum` bigint,
  `loc_added_sum` bigint,
  `loc_deleted_sum` bigint,
  `source_part` int,
  `source_line` bigint,
  `extra` string,
  `day` date
)
PARTITIONED BY (`organization` string, `month` string)
STORED AS PARQUET
LOCATION 's3://${bucket}/${prefix}/curated/organization/enterprise_feature_daily/'
TBLPROPERTIES ('parquet.compression' = 'SNAPPY')
