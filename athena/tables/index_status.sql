-- Columns mirror src/copilot_archive/curated_schema.py; tests/unit/test_sql_files.py fails on drift.
-- Monthly: one file per enterprise and month, `day` a column (see curated_schema.py).
-- Placeholders (see athena/README.md): ${database}, ${bucket}, ${prefix}.
-- One row per report-day the indexer saw: files .../index_status/enterprise={slug}/month={YYYY-MM}/part-0000.parquet
CREATE EXTERNAL TABLE IF NOT EXISTS `${database}`.`index_status` (
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
  `day` date
)
PARTITIONED BY (`enterprise` string, `month` string)
STORED AS PARQUET
LOCATION 's3://${bucket}/${prefix}/curated/enterprise/index_status/'
TBLPROPERTIES ('parquet.compression' = 'SNAPPY')
