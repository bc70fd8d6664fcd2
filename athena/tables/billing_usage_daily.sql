-- Generated from src/copilot_archive/core/curated_schema.py by `make tables`: edit the contract,
-- not this file (tests/unit/test_table_definitions.py fails when it is stale).
-- Placeholders (see athena/README.md): ${database}, ${bucket}, ${prefix}.
-- One row per line of the billing usage export (its latest revision of the day).
CREATE EXTERNAL TABLE IF NOT EXISTS `${database}`.`billing_usage_daily` (
  `product` string,
  `sku` string,
  `model` string,
  `user_login` string,
  `organization` string,
  `repository` string,
  `cost_center` string,
  `quantity` double,
  `unit_type` string,
  `price_per_unit` double,
  `gross_amount` double,
  `discount_amount` double,
  `net_amount` double,
  `source_line` bigint,
  `extra` string
)
PARTITIONED BY (`enterprise` string, `day` date)
STORED AS PARQUET
LOCATION 's3://${bucket}/${prefix}/curated/enterprise/billing_usage_daily/'
TBLPROPERTIES ('parquet.compression' = 'SNAPPY')
