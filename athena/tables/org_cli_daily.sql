-- Generated from src/copilot_archive/core/curated_schema.py by `make tables`: edit the contract,
-- not this file (tests/unit/test_table_definitions.py fails when it is stale).
-- Placeholders (see athena/README.md): ${database}, ${bucket}, ${prefix}.
-- One row per totals_by_cli entry of the organization-1-day report.
CREATE EXTERNAL TABLE IF NOT EXISTS `${database}`.`org_cli_daily` (
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
PARTITIONED BY (`organization` string, `month` string)
STORED AS PARQUET
LOCATION 's3://${bucket}/${prefix}/curated/organization/enterprise_cli_daily/'
TBLPROPERTIES ('parquet.compression' = 'SNAPPY')
