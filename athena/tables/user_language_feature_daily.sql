-- Columns mirror src/copilot_archive/curated_schema.py; tests/unit/test_sql_files.py fails on drift.
-- Placeholders (see athena/README.md): ${database}, ${bucket}, ${prefix}.
-- One row per `totals_by_language_feature` entry of each users-1-day line.
CREATE EXTERNAL TABLE IF NOT EXISTS `${database}`.`user_language_feature_daily` (
  `user_id` bigint,
  `user_login` string,
  `language` string,
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
  `extra` string
)
PARTITIONED BY (`enterprise` string, `day` date)
STORED AS PARQUET
LOCATION 's3://${bucket}/${prefix}/curated/enterprise/user_language_feature_daily/'
TBLPROPERTIES ('parquet.compression' = 'SNAPPY')
