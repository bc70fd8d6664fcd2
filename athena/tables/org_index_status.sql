-- Generated from src/copilot_archive/core/curated_schema.py by `make tables`: edit the contract,
-- not this file (tests/unit/test_table_definitions.py fails when it is stale).
-- Placeholders (see athena/README.md): ${database}, ${bucket}, ${prefix}.
-- The indexer's result for each report-day it saw, one row per report.
CREATE EXTERNAL TABLE IF NOT EXISTS `${database}`.`org_index_status` (
  `report` string,
  `manifest_status` string,
  `files` int,
  `bytes` bigint,
  `lines` bigint,
  `rows` bigint,
  `indexed` boolean,
  `error` string,
  `indexed_at` timestamp,
  `manifest_key` string,
  `mistyped_values` bigint,
  `unknown_fields` string,
  `day` date
)
PARTITIONED BY (`organization` string, `month` string)
STORED AS PARQUET
LOCATION 's3://${bucket}/${prefix}/curated/organization/index_status/'
TBLPROPERTIES ('parquet.compression' = 'SNAPPY')
