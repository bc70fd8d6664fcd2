-- Generated from src/copilot_archive/core/curated_schema.py by `make tables`: edit the contract,
-- not this file (tests/unit/test_table_definitions.py fails when it is stale).
-- Placeholders (see athena/README.md): ${database}, ${bucket}, ${prefix}.
-- One row per seat entry of each copilot-seats snapshot (one a day).
CREATE EXTERNAL TABLE IF NOT EXISTS `${database}`.`org_seat_daily` (
  `user_login` string,
  `user_id` bigint,
  `organization` string,
  `assigning_team_slug` string,
  `plan_type` string,
  `created_at` timestamp,
  `updated_at` timestamp,
  `pending_cancellation_date` date,
  `last_activity_at` timestamp,
  `last_activity_editor` string,
  `last_authenticated_at` timestamp,
  `extra` string
)
PARTITIONED BY (`organization` string, `day` date)
STORED AS PARQUET
LOCATION 's3://${bucket}/${prefix}/curated/organization/seat_daily/'
TBLPROPERTIES ('parquet.compression' = 'SNAPPY')
