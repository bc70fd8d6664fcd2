-- Generated from src/copilot_archive/core/curated_schema.py by `make tables`: edit the contract,
-- not this file (tests/unit/test_table_definitions.py fails when it is stale).
-- Placeholders (see athena/README.md): ${database}, ${bucket}, ${prefix}.
-- One row per pull_requests.copilot_suggestions_by_comment_type entry of the organization-1-day report.
CREATE EXTERNAL TABLE IF NOT EXISTS `${database}`.`org_pull_request_comment_type_daily` (
  `comment_type` string,
  `total_copilot_suggestions` bigint,
  `total_copilot_applied_suggestions` bigint,
  `source_part` int,
  `source_line` bigint,
  `extra` string,
  `day` date
)
PARTITIONED BY (`organization` string, `month` string)
STORED AS PARQUET
LOCATION 's3://${bucket}/${prefix}/curated/organization/enterprise_pull_request_comment_type_daily/'
TBLPROPERTIES ('parquet.compression' = 'SNAPPY')
