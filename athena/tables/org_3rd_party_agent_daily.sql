-- Generated from src/copilot_archive/core/curated_schema.py by `make tables`: edit the contract,
-- not this file (tests/unit/test_table_definitions.py fails when it is stale).
-- Placeholders (see athena/README.md): ${database}, ${bucket}, ${prefix}.
-- One row per totals_by_3rd_party_agent entry of the organization-1-day report.
CREATE EXTERNAL TABLE IF NOT EXISTS `${database}`.`org_3rd_party_agent_daily` (
  `agent_id` string,
  `agent_name` string,
  `user_initiated_interaction_count` bigint,
  `session_count` bigint,
  `source_part` int,
  `source_line` bigint,
  `extra` string,
  `day` date
)
PARTITIONED BY (`organization` string, `month` string)
STORED AS PARQUET
LOCATION 's3://${bucket}/${prefix}/curated/organization/enterprise_3rd_party_agent_daily/'
TBLPROPERTIES ('parquet.compression' = 'SNAPPY')
