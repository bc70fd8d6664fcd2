-- Generated from src/copilot_archive/core/curated_schema.py by `make tables`: edit the contract,
-- not this file (tests/unit/test_table_definitions.py fails when it is stale).
-- Placeholders (see athena/README.md): ${database}, ${bucket}, ${prefix}.
-- One row per value a 28-day report restated against the archived 1-day report, or a billing revision changed.
CREATE EXTERNAL TABLE IF NOT EXISTS `${database}`.`restatement_log` (
  `report` string,
  `metric` string,
  `user_id` bigint,
  `user_login` string,
  `archived_value` double,
  `restated_value` double,
  `first_seen` date,
  `restated_by` string,
  `archived_manifest` string,
  `day` date
)
PARTITIONED BY (`enterprise` string, `month` string)
STORED AS PARQUET
LOCATION 's3://${bucket}/${prefix}/curated/enterprise/restatement_log/'
TBLPROPERTIES ('parquet.compression' = 'SNAPPY')
