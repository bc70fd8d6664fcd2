-- One row per report-day of the window, so analysts and alarms see what is there:
--   * the 1-day reports, every day from greatest(2025-10-10, today - 365 days) to yesterday,
--     for every enterprise the indexer has seen (a team or repository day GitHub answered
--     204 for, no data, stays missing: the archive holds nothing for it);
--   * the 28-day reports, for the report-days (end days) that were indexed.
-- status is the manifest's (ok or empty) where the indexer recorded the report-day, else missing.
-- The CASTs keep `day` a date on engines whose date arithmetic yields timestamps.
CREATE OR REPLACE VIEW report_status AS
WITH
window_days AS (
  SELECT CAST(d.day AS date) AS day
  FROM UNNEST(
    sequence(
      CAST(greatest(DATE '2025-10-10', current_date - INTERVAL '365' DAY) AS date),
      CAST(current_date - INTERVAL '1' DAY AS date),
      INTERVAL '1' DAY
    )
  ) AS d (day)
),
enterprises AS (
  SELECT DISTINCT enterprise FROM index_status
),
one_day_reports AS (
  SELECT report
  FROM (VALUES ('enterprise-1-day'), ('users-1-day'), ('user-teams-1-day'), ('repos-1-day')) AS r (report)
),
expected AS (
  SELECT r.report, e.enterprise, w.day
  FROM one_day_reports AS r
  CROSS JOIN enterprises AS e
  CROSS JOIN window_days AS w
  UNION
  SELECT report, enterprise, day
  FROM index_status
  WHERE report IN ('enterprise-28-day', 'users-28-day')
)
SELECT
  x.report,
  x.enterprise,
  x.day,
  coalesce(s.manifest_status, 'missing') AS status,
  coalesce(s.files, 0) AS files,
  coalesce(s.bytes, 0) AS bytes,
  coalesce(s.lines, 0) AS lines,
  coalesce(s.indexed, false) AS indexed
FROM expected AS x
LEFT JOIN index_status AS s
  ON s.report = x.report AND s.enterprise = x.enterprise AND s.day = x.day
