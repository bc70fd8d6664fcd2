-- Columns mirror src/copilot_archive/curated_schema.py; tests/unit/test_sql_files.py fails on drift.
-- Placeholders (see athena/README.md): ${database}, ${bucket}, ${prefix}.
-- One row per `totals_by_cli` entry of each users-1-day line.
CREATE EXTERNAL TABLE IF NOT EXISTS `${database}`.`user_cli_daily` (
  `user_id` bigint,
  `user_login` string,
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
  `extra` string
)
PARTITIONED BY (`enterprise` string, `day` date)
STORED AS PARQUET
LOCATION 's3://${bucket}/${prefix}/curated/enterprise/user_cli_daily/'
TBLPROPERTIES ('parquet.compression' = 'SNAPPY')
