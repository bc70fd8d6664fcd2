-- Generated from src/copilot_archive/core/curated_schema.py by `make tables`: edit the contract,
-- not this file (tests/unit/test_table_definitions.py fails when it is stale).
-- Placeholders (see athena/README.md): ${database}, ${bucket}, ${prefix}.
-- The billing-usage export files as archived, one row per CSV line (header included), of each day's current revision.
-- Each line as text, so schema drift never breaks it; query it with json_extract /
-- json_extract_scalar. '\001' never occurs in JSON text (control characters inside JSON
-- strings are always escaped), so a line is one field.
CREATE EXTERNAL TABLE IF NOT EXISTS `${database}`.`raw_billing_usage` (
  `line` string
)
PARTITIONED BY (`enterprise` string, `day` date)
ROW FORMAT DELIMITED
  FIELDS TERMINATED BY '\001'
  LINES TERMINATED BY '\n'
STORED AS INPUTFORMAT 'org.apache.hadoop.mapred.TextInputFormat'
  OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
LOCATION 's3://${bucket}/${prefix}/raw/enterprise/billing-usage/'
TBLPROPERTIES ('classification' = 'text')
