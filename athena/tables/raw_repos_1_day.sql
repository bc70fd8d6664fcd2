-- Columns mirror src/copilot_archive/curated_schema.py; tests/unit/test_sql_files.py fails on drift.
-- Placeholders (see athena/README.md): ${database}, ${bucket}, ${prefix}.
-- Each NDJSON line of the repos-1-day files as text, so schema drift never breaks it;
-- query it with json_extract / json_extract_scalar. '\001' never occurs in JSON text
-- (control characters inside JSON strings are always escaped), so a line is one field.
CREATE EXTERNAL TABLE IF NOT EXISTS `${database}`.`raw_repos_1_day` (
  `line` string
)
PARTITIONED BY (`enterprise` string, `day` date)
ROW FORMAT DELIMITED
  FIELDS TERMINATED BY '\001'
  LINES TERMINATED BY '\n'
STORED AS INPUTFORMAT 'org.apache.hadoop.mapred.TextInputFormat'
  OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
LOCATION 's3://${bucket}/${prefix}/raw/enterprise/repos-1-day/'
TBLPROPERTIES ('classification' = 'text')
