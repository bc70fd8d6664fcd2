-- Columns mirror src/copilot_archive/curated_schema.py; tests/unit/test_sql_files.py fails on drift.
-- Placeholders (see athena/README.md): ${database}, ${bucket}, ${prefix}.
-- One row per user-teams-1-day line: one user's membership of one team on the day.
CREATE EXTERNAL TABLE IF NOT EXISTS `${database}`.`user_team_daily` (
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
PARTITIONED BY (`enterprise` string, `day` date)
STORED AS PARQUET
LOCATION 's3://${bucket}/${prefix}/curated/enterprise/user_team_daily/'
TBLPROPERTIES ('parquet.compression' = 'SNAPPY')
