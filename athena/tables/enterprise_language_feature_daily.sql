-- Columns mirror src/copilot_archive/curated_schema.py; tests/unit/test_sql_files.py fails on drift.
-- Monthly: one file per enterprise and month, `day` a column (see curated_schema.py).
-- Placeholders (see athena/README.md): ${database}, ${bucket}, ${prefix}.
-- One row per `totals_by_language_feature` entry of each enterprise-1-day day.
CREATE EXTERNAL TABLE IF NOT EXISTS `${database}`.`enterprise_language_feature_daily` (
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
  `extra` string,
  `day` date
)
PARTITIONED BY (`enterprise` string, `month` string)
STORED AS PARQUET
LOCATION 's3://${bucket}/${prefix}/curated/enterprise/enterprise_language_feature_daily/'
TBLPROPERTIES ('parquet.compression' = 'SNAPPY')
