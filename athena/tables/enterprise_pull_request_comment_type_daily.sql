-- Columns mirror src/copilot_archive/curated_schema.py; tests/unit/test_sql_files.py fails on drift.
-- Monthly: one file per enterprise and month, `day` a column (see curated_schema.py).
-- Placeholders (see athena/README.md): ${database}, ${bucket}, ${prefix}.
-- One row per `pull_requests.copilot_suggestions_by_comment_type` entry of each enterprise-1-day day.
CREATE EXTERNAL TABLE IF NOT EXISTS `${database}`.`enterprise_pull_request_comment_type_daily` (
  `comment_type` string,
  `total_copilot_suggestions` bigint,
  `total_copilot_applied_suggestions` bigint,
  `source_part` int,
  `source_line` bigint,
  `extra` string,
  `day` date
)
PARTITIONED BY (`enterprise` string, `month` string)
STORED AS PARQUET
LOCATION 's3://${bucket}/${prefix}/curated/enterprise/enterprise_pull_request_comment_type_daily/'
TBLPROPERTIES ('parquet.compression' = 'SNAPPY')
