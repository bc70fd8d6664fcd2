-- What each indexed report-day looked like, so odd data is seen the day it arrives:
--   lines: the report-day's raw lines (its manifest's count);
--   reduced_shape_lines: users-1-day lines with every used_* flag null (user_daily's
--     reduced_shape), which no feature count can judge; NULL for the other reports;
--   mistyped_values: values that did not fit their column (NULL there, kept in `extra`);
--   unknown_fields: the names of fields no column types (comma-separated; NULL: none).
-- Read from index_status, which the indexer writes for every report-day it indexes.
CREATE OR REPLACE VIEW data_quality_daily AS
SELECT
  s.enterprise,
  s.day,
  s.report,
  s.lines,
  CASE WHEN s.report = 'users-1-day' THEN coalesce(u.reduced_shape_lines, 0) END AS reduced_shape_lines,
  s.mistyped_values,
  s.unknown_fields
FROM index_status AS s
LEFT JOIN (
  SELECT enterprise, day, sum(CASE WHEN reduced_shape THEN 1 ELSE 0 END) AS reduced_shape_lines
  FROM user_daily
  GROUP BY enterprise, day
) AS u
  ON s.report = 'users-1-day' AND u.enterprise = s.enterprise AND u.day = s.day
