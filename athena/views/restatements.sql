-- Values GitHub restated: one row per difference between a day of a 28-day report and the
-- archived 1-day report of the same day, or between a billing usage day's revision and the one
-- before it (restatement_log, written by the indexer). `report` is the 1-day report restated (or
-- billing-usage), `user_login` NULL for a totals line, `first_seen` the end day of the first
-- 28-day report that showed it (a revision's fetch day). A row stays when later reports agree.
CREATE OR REPLACE VIEW restatements AS
SELECT
  enterprise,
  day,
  report,
  metric,
  user_login,
  archived_value,
  restated_value,
  first_seen
FROM restatement_log
