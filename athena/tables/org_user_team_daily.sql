-- Generated from src/copilot_archive/core/curated_schema.py by `make tables`: edit the contract,
-- not this file (tests/unit/test_table_definitions.py fails when it is stale).
-- Placeholders (see athena/README.md): ${database}, ${bucket}, ${prefix}.
-- One row per line of the user-teams-1-day report.
CREATE EXTERNAL TABLE IF NOT EXISTS `${database}`.`org_user_team_daily` (
  `enterprise_id` string,
  `team_id` bigint,
  `team_slug` string,
  `user_id` bigint,
  `user_login` string,
  `source_part` int,
  `source_line` bigint,
  `extra` string,
  `organization_id` string,
  `etl_id` string,
  `day_partition` string,
  `entity_id_partition` bigint
)
PARTITIONED BY (`organization` string, `day` date)
STORED AS PARQUET
LOCATION 's3://${bucket}/${prefix}/curated/organization/user_team_daily/'
TBLPROPERTIES ('parquet.compression' = 'SNAPPY')
