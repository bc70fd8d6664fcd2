-- Generated from src/copilot_archive/core/curated_schema.py by `make tables`: edit the contract,
-- not this file (tests/unit/test_table_definitions.py fails when it is stale).
-- Placeholders (see athena/README.md): ${database}, ${bucket}, ${prefix}.
-- One row per seat entry of each copilot-seats snapshot (one a day).
CREATE EXTERNAL TABLE IF NOT EXISTS `${database}`.`org_seat_price` (
  `plan_type` string,
  `monthly_price_usd` double
)
PARTITIONED BY (`organization` string, `day` date)
STORED AS PARQUET
LOCATION 's3://${bucket}/${prefix}/curated/organization/seat_price/'
TBLPROPERTIES ('parquet.compression' = 'SNAPPY')
