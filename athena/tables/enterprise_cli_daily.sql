-- Columns mirror src/copilot_archive/curated_schema.py; tests/unit/test_sql_files.py fails on drift.
-- Monthly: one file per enterprise and month, `day` a column (see curated_schema.py).
-- Placeholders (see athena/README.md): ${database}, ${bucket}, ${prefix}.
-- One row per `totals_by_cli` entry of each enterprise-1-day day.
CREATE EXTERNAL TABLE IF NOT EXISTS `${database}`.`enterprise_cli_daily` (
  `prompt_count` bigint,
  `request_count` bigint,
  `session_count` bigint,
  `avg_tokens_per_request` double,
  `output_tokens_sum` bigint,
  `prompt_tokens_sum` bigint,
  `cli_version` string,
  `cli_version_sampled_at` string,
  `source_part` int,
  `source_line` bigint,
  `extra` string,
  `day` date
)
PARTITIONED BY (`enterprise` string, `month` string)
STORED AS PARQUET
LOCATION 's3://${bucket}/${prefix}/curated/enterprise/enterprise_cli_daily/'
TBLPROPERTIES ('parquet.compression' = 'SNAPPY')
