"""The shipped views and column types compiled at build time, so that neither the indexer's
cold start nor a local query parses SQL. Generated from athena/views and the contract by
`make tables` (python -m copilot_archive.querying.sql --write): do not edit.
"""

# Every view at every level, each after the views it reads: (name, CREATE OR REPLACE VIEW ...).
ATHENA_VIEWS: tuple[tuple[str, str], ...] = (
    (
        'acceptance_by_feature',
        'CREATE OR REPLACE VIEW acceptance_by_feature AS\n'
        'SELECT\n'
        '  enterprise,\n'
        '  day,\n'
        '  feature,\n'
        '  code_generation_activity_count,\n'
        '  code_acceptance_activity_count,\n'
        '  CASE\n'
        '    WHEN code_generation_activity_count = 0 THEN NULL\n'
        '    ELSE CAST(code_acceptance_activity_count AS double) / code_generation_activity_count\n'
        '  END AS acceptance_rate\n'
        'FROM (\n'
        '  SELECT\n'
        '    enterprise,\n'
        '    day,\n'
        '    feature,\n'
        '    sum(code_generation_activity_count) AS code_generation_activity_count,\n'
        '    sum(code_acceptance_activity_count) AS code_acceptance_activity_count\n'
        '  FROM user_feature_daily\n'
        '  GROUP BY enterprise, day, feature\n'
        ') AS totals\n',
    ),
    (
        'acceptance_by_ide',
        'CREATE OR REPLACE VIEW acceptance_by_ide AS\n'
        'SELECT\n'
        '  enterprise,\n'
        '  day,\n'
        '  ide,\n'
        '  code_generation_activity_count,\n'
        '  code_acceptance_activity_count,\n'
        '  CASE\n'
        '    WHEN code_generation_activity_count = 0 THEN NULL\n'
        '    ELSE CAST(code_acceptance_activity_count AS double) / code_generation_activity_count\n'
        '  END AS acceptance_rate\n'
        'FROM (\n'
        '  SELECT\n'
        '    enterprise,\n'
        '    day,\n'
        '    ide,\n'
        '    sum(code_generation_activity_count) AS code_generation_activity_count,\n'
        '    sum(code_acceptance_activity_count) AS code_acceptance_activity_count\n'
        '  FROM user_ide_daily\n'
        '  GROUP BY enterprise, day, ide\n'
        ') AS totals\n',
    ),
    (
        'acceptance_by_language',
        'CREATE OR REPLACE VIEW acceptance_by_language AS\n'
        'SELECT\n'
        '  enterprise,\n'
        '  day,\n'
        '  language,\n'
        '  code_generation_activity_count,\n'
        '  code_acceptance_activity_count,\n'
        '  CASE\n'
        '    WHEN code_generation_activity_count = 0 THEN NULL\n'
        '    ELSE CAST(code_acceptance_activity_count AS double) / code_generation_activity_count\n'
        '  END AS acceptance_rate\n'
        'FROM (\n'
        '  SELECT\n'
        '    enterprise,\n'
        '    day,\n'
        '    language,\n'
        '    sum(code_generation_activity_count) AS code_generation_activity_count,\n'
        '    sum(code_acceptance_activity_count) AS code_acceptance_activity_count\n'
        '  FROM user_language_feature_daily\n'
        '  GROUP BY enterprise, day, language\n'
        ') AS totals\n',
    ),
    (
        'acceptance_by_model',
        'CREATE OR REPLACE VIEW acceptance_by_model AS\n'
        'SELECT\n'
        '  enterprise,\n'
        '  day,\n'
        '  model,\n'
        '  code_generation_activity_count,\n'
        '  code_acceptance_activity_count,\n'
        '  CASE\n'
        '    WHEN code_generation_activity_count = 0 THEN NULL\n'
        '    ELSE CAST(code_acceptance_activity_count AS double) / code_generation_activity_count\n'
        '  END AS acceptance_rate\n'
        'FROM (\n'
        '  SELECT\n'
        '    enterprise,\n'
        '    day,\n'
        '    model,\n'
        '    sum(code_generation_activity_count) AS code_generation_activity_count,\n'
        '    sum(code_acceptance_activity_count) AS code_acceptance_activity_count\n'
        '  FROM user_model_feature_daily\n'
        '  GROUP BY enterprise, day, model\n'
        ') AS totals\n',
    ),
    (
        'active_users_daily',
        'CREATE OR REPLACE VIEW active_users_daily AS\n'
        'SELECT\n'
        '  enterprise,\n'
        '  day,\n'
        '  count(DISTINCT user_id) AS active_users\n'
        'FROM user_daily\n'
        'GROUP BY enterprise, day\n',
    ),
    (
        'active_users_monthly',
        'CREATE OR REPLACE VIEW active_users_monthly AS\n'
        'SELECT\n'
        '  enterprise,\n'
        "  CAST(date_trunc('month', day) AS date) AS month_start,\n"
        '  count(DISTINCT user_id) AS active_users\n'
        'FROM user_daily\n'
        "GROUP BY enterprise, CAST(date_trunc('month', day) AS date)\n",
    ),
    (
        'active_users_weekly',
        'CREATE OR REPLACE VIEW active_users_weekly AS\n'
        'SELECT\n'
        '  enterprise,\n'
        "  CAST(date_trunc('week', day) AS date) AS week_start,\n"
        '  count(DISTINCT user_id) AS active_users\n'
        'FROM user_daily\n'
        "GROUP BY enterprise, CAST(date_trunc('week', day) AS date)\n",
    ),
    (
        'ai_credits_monthly',
        'CREATE OR REPLACE VIEW ai_credits_monthly AS\n'
        'SELECT\n'
        '  enterprise,\n'
        "  CAST(date_trunc('month', day) AS date) AS month,\n"
        '  user_login,\n'
        '  sum(ai_credits_used) AS ai_credits\n'
        'FROM user_daily\n'
        "GROUP BY enterprise, CAST(date_trunc('month', day) AS date), user_login\n",
    ),
    (
        'billed_usage_monthly',
        'CREATE OR REPLACE VIEW billed_usage_monthly AS\n'
        'SELECT\n'
        '  enterprise,\n'
        "  CAST(date_trunc('month', day) AS date) AS month,\n"
        '  product,\n'
        '  model,\n'
        '  sum(net_amount) AS net_amount\n'
        'FROM billing_usage_daily\n'
        "GROUP BY enterprise, CAST(date_trunc('month', day) AS date), product, model\n",
    ),
    (
        'enterprise_daily',
        'CREATE OR REPLACE VIEW enterprise_daily AS\n'
        'SELECT\n'
        '  enterprise,\n'
        '  day,\n'
        '  daily_active_users,\n'
        '  weekly_active_users,\n'
        '  monthly_active_users,\n'
        '  monthly_active_chat_users,\n'
        '  monthly_active_agent_users,\n'
        '  daily_active_cli_users,\n'
        '  user_initiated_interaction_count,\n'
        '  code_generation_activity_count,\n'
        '  code_acceptance_activity_count,\n'
        '  CASE\n'
        '    WHEN code_generation_activity_count = 0 THEN NULL\n'
        '    ELSE CAST(code_acceptance_activity_count AS double) / code_generation_activity_count\n'
        '  END AS acceptance_rate,\n'
        '  loc_suggested_to_add_sum,\n'
        '  loc_suggested_to_delete_sum,\n'
        '  loc_added_sum,\n'
        '  loc_deleted_sum,\n'
        '  pull_requests_total_created,\n'
        '  pull_requests_total_merged,\n'
        '  pull_requests_total_reviewed,\n'
        '  pull_requests_total_created_by_copilot,\n'
        '  pull_requests_total_reviewed_by_copilot,\n'
        '  pull_requests_median_minutes_to_merge,\n'
        '  report_shape\n'
        'FROM enterprise_day_totals\n',
    ),
    (
        'feature_users_weekly',
        'CREATE OR REPLACE VIEW feature_users_weekly AS\n'
        'SELECT\n'
        '  enterprise,\n'
        "  CAST(date_trunc('week', day) AS date) AS week_start,\n"
        '  count(DISTINCT CASE WHEN used_chat THEN user_id END) AS chat_users,\n'
        '  count(DISTINCT CASE WHEN used_agent THEN user_id END) AS agent_users,\n'
        '  count(DISTINCT CASE WHEN used_cli THEN user_id END) AS cli_users\n'
        'FROM user_daily\n'
        "GROUP BY enterprise, CAST(date_trunc('week', day) AS date)\n",
    ),
    (
        'repo_pull_requests_daily',
        'CREATE OR REPLACE VIEW repo_pull_requests_daily AS\n'
        'SELECT\n'
        '  enterprise,\n'
        '  repo_id,\n'
        '  repo_name,\n'
        '  day,\n'
        '  pull_requests_total_created AS total_created,\n'
        '  pull_requests_total_merged AS total_merged,\n'
        '  pull_requests_total_reviewed AS total_reviewed,\n'
        '  pull_requests_total_created_by_copilot AS total_created_by_copilot,\n'
        '  pull_requests_total_reviewed_by_copilot AS total_reviewed_by_copilot,\n'
        '  pull_requests_total_merged_created_by_copilot AS total_merged_created_by_copilot,\n'
        '  pull_requests_total_merged_reviewed_by_copilot AS total_merged_reviewed_by_copilot,\n'
        '  pull_requests_total_suggestions AS total_suggestions,\n'
        '  pull_requests_total_applied_suggestions AS total_applied_suggestions,\n'
        '  pull_requests_total_copilot_suggestions AS total_copilot_suggestions,\n'
        '  pull_requests_total_copilot_applied_suggestions AS total_copilot_applied_suggestions,\n'
        '  pull_requests_median_minutes_to_merge AS median_minutes_to_merge,\n'
        '  pull_requests_median_minutes_to_merge_copilot_authored AS median_minutes_to_merge_copilot_authored,\n'
        '  pull_requests_median_minutes_to_merge_copilot_reviewed AS median_minutes_to_merge_copilot_reviewed\n'
        'FROM repo_daily\n',
    ),
    (
        'report_status',
        'CREATE OR REPLACE VIEW report_status AS\n'
        'WITH\n'
        'window_days AS (\n'
        '  SELECT CAST(d.day AS date) AS day\n'
        '  FROM UNNEST(\n'
        '    sequence(\n'
        "      CAST(greatest(DATE '2025-10-10', current_date - INTERVAL '365' DAY) AS date),\n"
        "      CAST(current_date - INTERVAL '1' DAY AS date),\n"
        "      INTERVAL '1' DAY\n"
        '    )\n'
        '  ) AS d (day)\n'
        '),\n'
        'enterprises AS (\n'
        '  SELECT DISTINCT enterprise FROM index_status\n'
        '),\n'
        'one_day_reports AS (\n'
        '  SELECT report\n'
        "  FROM (VALUES ('enterprise-1-day'), ('users-1-day'), ('user-teams-1-day'), ('repos-1-day')) AS r (report)\n"
        '),\n'
        'expected AS (\n'
        '  SELECT r.report, e.enterprise, w.day\n'
        '  FROM one_day_reports AS r\n'
        '  CROSS JOIN enterprises AS e\n'
        '  CROSS JOIN window_days AS w\n'
        '  UNION\n'
        '  SELECT report, enterprise, day\n'
        '  FROM index_status\n'
        "  WHERE report IN ('enterprise-28-day', 'users-28-day')\n"
        ')\n'
        'SELECT\n'
        '  x.report,\n'
        '  x.enterprise,\n'
        '  x.day,\n'
        "  coalesce(s.manifest_status, 'missing') AS status,\n"
        '  coalesce(s.files, 0) AS files,\n'
        '  coalesce(s.bytes, 0) AS bytes,\n'
        '  coalesce(s.lines, 0) AS lines,\n'
        '  coalesce(s.indexed, false) AS indexed\n'
        'FROM expected AS x\n'
        'LEFT JOIN index_status AS s\n'
        '  ON s.report = x.report AND s.enterprise = x.enterprise AND s.day = x.day\n',
    ),
    (
        'team_acceptance_daily',
        'CREATE OR REPLACE VIEW team_acceptance_daily AS\n'
        'SELECT\n'
        '  enterprise,\n'
        '  team_slug,\n'
        '  team_id,\n'
        '  day,\n'
        '  code_generation_activity_count,\n'
        '  code_acceptance_activity_count,\n'
        '  CASE\n'
        '    WHEN code_generation_activity_count = 0 THEN NULL\n'
        '    ELSE CAST(code_acceptance_activity_count AS double) / code_generation_activity_count\n'
        '  END AS acceptance_rate\n'
        'FROM (\n'
        '  SELECT\n'
        '    m.enterprise,\n'
        '    m.team_slug,\n'
        '    m.team_id,\n'
        '    m.day,\n'
        '    coalesce(sum(u.code_generation_activity_count), 0) AS code_generation_activity_count,\n'
        '    coalesce(sum(u.code_acceptance_activity_count), 0) AS code_acceptance_activity_count\n'
        '  FROM (\n'
        '    SELECT DISTINCT enterprise, day, team_id, team_slug, user_id FROM user_team_daily\n'
        '  ) AS m\n'
        '  LEFT JOIN user_daily AS u\n'
        '    ON u.enterprise = m.enterprise AND u.day = m.day AND u.user_id = m.user_id\n'
        '  GROUP BY m.enterprise, m.team_slug, m.team_id, m.day\n'
        ') AS totals\n',
    ),
    (
        'team_active_users_daily',
        'CREATE OR REPLACE VIEW team_active_users_daily AS\n'
        'SELECT\n'
        '  m.enterprise,\n'
        '  m.team_slug,\n'
        '  m.team_id,\n'
        '  m.day,\n'
        '  count(DISTINCT u.user_id) AS active_users\n'
        'FROM user_team_daily AS m\n'
        'LEFT JOIN user_daily AS u\n'
        '  ON u.enterprise = m.enterprise AND u.day = m.day AND u.user_id = m.user_id\n'
        'GROUP BY m.enterprise, m.team_slug, m.team_id, m.day\n',
    ),
    (
        'team_active_users_monthly',
        'CREATE OR REPLACE VIEW team_active_users_monthly AS\n'
        'SELECT\n'
        '  m.enterprise,\n'
        '  max_by(m.team_slug, m.day) AS team_slug,\n'
        '  m.team_id,\n'
        "  CAST(date_trunc('month', m.day) AS date) AS month_start,\n"
        '  count(DISTINCT u.user_id) AS active_users\n'
        'FROM user_team_daily AS m\n'
        'LEFT JOIN user_daily AS u\n'
        '  ON u.enterprise = m.enterprise AND u.day = m.day AND u.user_id = m.user_id\n'
        "GROUP BY m.enterprise, m.team_id, CAST(date_trunc('month', m.day) AS date)\n",
    ),
    (
        'team_active_users_weekly',
        'CREATE OR REPLACE VIEW team_active_users_weekly AS\n'
        'SELECT\n'
        '  m.enterprise,\n'
        '  max_by(m.team_slug, m.day) AS team_slug,\n'
        '  m.team_id,\n'
        "  CAST(date_trunc('week', m.day) AS date) AS week_start,\n"
        '  count(DISTINCT u.user_id) AS active_users\n'
        'FROM user_team_daily AS m\n'
        'LEFT JOIN user_daily AS u\n'
        '  ON u.enterprise = m.enterprise AND u.day = m.day AND u.user_id = m.user_id\n'
        "GROUP BY m.enterprise, m.team_id, CAST(date_trunc('week', m.day) AS date)\n",
    ),
    (
        'team_ai_credits_monthly',
        'CREATE OR REPLACE VIEW team_ai_credits_monthly AS\n'
        'SELECT\n'
        '  m.enterprise,\n'
        "  CAST(date_trunc('month', m.day) AS date) AS month,\n"
        '  max_by(m.team_slug, m.day) AS team_slug,\n'
        '  m.team_id,\n'
        '  sum(u.ai_credits_used) AS ai_credits\n'
        'FROM user_team_daily AS m\n'
        'LEFT JOIN user_daily AS u\n'
        '  ON u.enterprise = m.enterprise AND u.day = m.day AND u.user_id = m.user_id\n'
        "GROUP BY m.enterprise, CAST(date_trunc('month', m.day) AS date), m.team_id\n",
    ),
    (
        'org_acceptance_by_feature',
        'CREATE OR REPLACE VIEW org_acceptance_by_feature AS\n'
        'SELECT\n'
        '  organization,\n'
        '  day,\n'
        '  feature,\n'
        '  code_generation_activity_count,\n'
        '  code_acceptance_activity_count,\n'
        '  CASE\n'
        '    WHEN code_generation_activity_count = 0\n'
        '    THEN NULL\n'
        '    ELSE CAST(code_acceptance_activity_count AS DOUBLE) / code_generation_activity_count\n'
        '  END AS acceptance_rate\n'
        'FROM (\n'
        '  SELECT\n'
        '    organization,\n'
        '    day,\n'
        '    feature,\n'
        '    SUM(code_generation_activity_count) AS code_generation_activity_count,\n'
        '    SUM(code_acceptance_activity_count) AS code_acceptance_activity_count\n'
        '  FROM org_user_feature_daily\n'
        '  GROUP BY\n'
        '    organization,\n'
        '    day,\n'
        '    feature\n'
        ') AS totals',
    ),
    (
        'org_acceptance_by_ide',
        'CREATE OR REPLACE VIEW org_acceptance_by_ide AS\n'
        'SELECT\n'
        '  organization,\n'
        '  day,\n'
        '  ide,\n'
        '  code_generation_activity_count,\n'
        '  code_acceptance_activity_count,\n'
        '  CASE\n'
        '    WHEN code_generation_activity_count = 0\n'
        '    THEN NULL\n'
        '    ELSE CAST(code_acceptance_activity_count AS DOUBLE) / code_generation_activity_count\n'
        '  END AS acceptance_rate\n'
        'FROM (\n'
        '  SELECT\n'
        '    organization,\n'
        '    day,\n'
        '    ide,\n'
        '    SUM(code_generation_activity_count) AS code_generation_activity_count,\n'
        '    SUM(code_acceptance_activity_count) AS code_acceptance_activity_count\n'
        '  FROM org_user_ide_daily\n'
        '  GROUP BY\n'
        '    organization,\n'
        '    day,\n'
        '    ide\n'
        ') AS totals',
    ),
    (
        'org_acceptance_by_language',
        'CREATE OR REPLACE VIEW org_acceptance_by_language AS\n'
        'SELECT\n'
        '  organization,\n'
        '  day,\n'
        '  language,\n'
        '  code_generation_activity_count,\n'
        '  code_acceptance_activity_count,\n'
        '  CASE\n'
        '    WHEN code_generation_activity_count = 0\n'
        '    THEN NULL\n'
        '    ELSE CAST(code_acceptance_activity_count AS DOUBLE) / code_generation_activity_count\n'
        '  END AS acceptance_rate\n'
        'FROM (\n'
        '  SELECT\n'
        '    organization,\n'
        '    day,\n'
        '    language,\n'
        '    SUM(code_generation_activity_count) AS code_generation_activity_count,\n'
        '    SUM(code_acceptance_activity_count) AS code_acceptance_activity_count\n'
        '  FROM org_user_language_feature_daily\n'
        '  GROUP BY\n'
        '    organization,\n'
        '    day,\n'
        '    language\n'
        ') AS totals',
    ),
    (
        'org_acceptance_by_model',
        'CREATE OR REPLACE VIEW org_acceptance_by_model AS\n'
        'SELECT\n'
        '  organization,\n'
        '  day,\n'
        '  model,\n'
        '  code_generation_activity_count,\n'
        '  code_acceptance_activity_count,\n'
        '  CASE\n'
        '    WHEN code_generation_activity_count = 0\n'
        '    THEN NULL\n'
        '    ELSE CAST(code_acceptance_activity_count AS DOUBLE) / code_generation_activity_count\n'
        '  END AS acceptance_rate\n'
        'FROM (\n'
        '  SELECT\n'
        '    organization,\n'
        '    day,\n'
        '    model,\n'
        '    SUM(code_generation_activity_count) AS code_generation_activity_count,\n'
        '    SUM(code_acceptance_activity_count) AS code_acceptance_activity_count\n'
        '  FROM org_user_model_feature_daily\n'
        '  GROUP BY\n'
        '    organization,\n'
        '    day,\n'
        '    model\n'
        ') AS totals',
    ),
    (
        'org_active_users_daily',
        'CREATE OR REPLACE VIEW org_active_users_daily AS\n'
        'SELECT\n'
        '  organization,\n'
        '  day,\n'
        '  COUNT(DISTINCT user_id) AS active_users\n'
        'FROM org_user_daily\n'
        'GROUP BY\n'
        '  organization,\n'
        '  day',
    ),
    (
        'org_active_users_monthly',
        'CREATE OR REPLACE VIEW org_active_users_monthly AS\n'
        'SELECT\n'
        '  organization,\n'
        "  CAST(DATE_TRUNC('MONTH', day) AS DATE) AS month_start,\n"
        '  COUNT(DISTINCT user_id) AS active_users\n'
        'FROM org_user_daily\n'
        'GROUP BY\n'
        '  organization,\n'
        "  CAST(DATE_TRUNC('MONTH', day) AS DATE)",
    ),
    (
        'org_active_users_weekly',
        'CREATE OR REPLACE VIEW org_active_users_weekly AS\n'
        'SELECT\n'
        '  organization,\n'
        "  CAST(DATE_TRUNC('WEEK', day) AS DATE) AS week_start,\n"
        '  COUNT(DISTINCT user_id) AS active_users\n'
        'FROM org_user_daily\n'
        'GROUP BY\n'
        '  organization,\n'
        "  CAST(DATE_TRUNC('WEEK', day) AS DATE)",
    ),
    (
        'org_ai_credits_monthly',
        'CREATE OR REPLACE VIEW org_ai_credits_monthly AS\n'
        'SELECT\n'
        '  organization,\n'
        "  CAST(DATE_TRUNC('MONTH', day) AS DATE) AS month,\n"
        '  user_login,\n'
        '  SUM(ai_credits_used) AS ai_credits\n'
        'FROM org_user_daily\n'
        'GROUP BY\n'
        '  organization,\n'
        "  CAST(DATE_TRUNC('MONTH', day) AS DATE),\n"
        '  user_login',
    ),
    (
        'org_enterprise_daily',
        'CREATE OR REPLACE VIEW org_enterprise_daily AS\n'
        'SELECT\n'
        '  organization,\n'
        '  day,\n'
        '  daily_active_users,\n'
        '  weekly_active_users,\n'
        '  monthly_active_users,\n'
        '  monthly_active_chat_users,\n'
        '  monthly_active_agent_users,\n'
        '  daily_active_cli_users,\n'
        '  user_initiated_interaction_count,\n'
        '  code_generation_activity_count,\n'
        '  code_acceptance_activity_count,\n'
        '  CASE\n'
        '    WHEN code_generation_activity_count = 0\n'
        '    THEN NULL\n'
        '    ELSE CAST(code_acceptance_activity_count AS DOUBLE) / code_generation_activity_count\n'
        '  END AS acceptance_rate,\n'
        '  loc_suggested_to_add_sum,\n'
        '  loc_suggested_to_delete_sum,\n'
        '  loc_added_sum,\n'
        '  loc_deleted_sum,\n'
        '  pull_requests_total_created,\n'
        '  pull_requests_total_merged,\n'
        '  pull_requests_total_reviewed,\n'
        '  pull_requests_total_created_by_copilot,\n'
        '  pull_requests_total_reviewed_by_copilot,\n'
        '  pull_requests_median_minutes_to_merge,\n'
        '  report_shape\n'
        'FROM org_enterprise_day_totals',
    ),
    (
        'org_feature_users_weekly',
        'CREATE OR REPLACE VIEW org_feature_users_weekly AS\n'
        'SELECT\n'
        '  organization,\n'
        "  CAST(DATE_TRUNC('WEEK', day) AS DATE) AS week_start,\n"
        '  COUNT(DISTINCT CASE WHEN used_chat THEN user_id END) AS chat_users,\n'
        '  COUNT(DISTINCT CASE WHEN used_agent THEN user_id END) AS agent_users,\n'
        '  COUNT(DISTINCT CASE WHEN used_cli THEN user_id END) AS cli_users\n'
        'FROM org_user_daily\n'
        'GROUP BY\n'
        '  organization,\n'
        "  CAST(DATE_TRUNC('WEEK', day) AS DATE)",
    ),
    (
        'org_repo_pull_requests_daily',
        'CREATE OR REPLACE VIEW org_repo_pull_requests_daily AS\n'
        'SELECT\n'
        '  organization,\n'
        '  repo_id,\n'
        '  repo_name,\n'
        '  day,\n'
        '  pull_requests_total_created AS total_created,\n'
        '  pull_requests_total_merged AS total_merged,\n'
        '  pull_requests_total_reviewed AS total_reviewed,\n'
        '  pull_requests_total_created_by_copilot AS total_created_by_copilot,\n'
        '  pull_requests_total_reviewed_by_copilot AS total_reviewed_by_copilot,\n'
        '  pull_requests_total_merged_created_by_copilot AS total_merged_created_by_copilot,\n'
        '  pull_requests_total_merged_reviewed_by_copilot AS total_merged_reviewed_by_copilot,\n'
        '  pull_requests_total_suggestions AS total_suggestions,\n'
        '  pull_requests_total_applied_suggestions AS total_applied_suggestions,\n'
        '  pull_requests_total_copilot_suggestions AS total_copilot_suggestions,\n'
        '  pull_requests_total_copilot_applied_suggestions AS total_copilot_applied_suggestions,\n'
        '  pull_requests_median_minutes_to_merge AS median_minutes_to_merge,\n'
        '  pull_requests_median_minutes_to_merge_copilot_authored AS median_minutes_to_merge_copilot_authored,\n'
        '  pull_requests_median_minutes_to_merge_copilot_reviewed AS median_minutes_to_merge_copilot_reviewed\n'
        'FROM org_repo_daily',
    ),
    (
        'org_report_status',
        'CREATE OR REPLACE VIEW org_report_status AS\n'
        'WITH window_days AS (\n'
        '  SELECT\n'
        '    CAST(d.day AS DATE) AS day\n'
        '  FROM UNNEST(SEQUENCE(\n'
        "    CAST(GREATEST(CAST('2025-10-10' AS DATE), CURRENT_DATE - INTERVAL '365' DAY) AS DATE),\n"
        "    CAST(CURRENT_DATE - INTERVAL '1' DAY AS DATE),\n"
        "    INTERVAL '1' DAY\n"
        '  )) AS d(day)\n'
        '), enterprises AS (\n'
        '  SELECT DISTINCT\n'
        '    organization\n'
        '  FROM org_index_status\n'
        '), one_day_reports AS (\n'
        '  SELECT\n'
        '    report\n'
        '  FROM (VALUES\n'
        "    ('organization-1-day'),\n"
        "    ('users-1-day'),\n"
        "    ('user-teams-1-day'),\n"
        "    ('repos-1-day')) AS r(report)\n"
        '), expected AS (\n'
        '  SELECT\n'
        '    r.report,\n'
        '    e.organization,\n'
        '    w.day\n'
        '  FROM one_day_reports AS r\n'
        '  CROSS JOIN enterprises AS e\n'
        '  CROSS JOIN window_days AS w\n'
        '  UNION\n'
        '  SELECT\n'
        '    report,\n'
        '    organization,\n'
        '    day\n'
        '  FROM org_index_status\n'
        '  WHERE\n'
        "    report IN ('organization-28-day', 'users-28-day')\n"
        ')\n'
        'SELECT\n'
        '  x.report,\n'
        '  x.organization,\n'
        '  x.day,\n'
        "  COALESCE(s.manifest_status, 'missing') AS status,\n"
        '  COALESCE(s.files, 0) AS files,\n'
        '  COALESCE(s.bytes, 0) AS bytes,\n'
        '  COALESCE(s.lines, 0) AS lines,\n'
        '  COALESCE(s.indexed, FALSE) AS indexed\n'
        'FROM expected AS x\n'
        'LEFT JOIN org_index_status AS s\n'
        '  ON s.report = x.report AND s.organization = x.organization AND s.day = x.day',
    ),
    (
        'org_team_acceptance_daily',
        'CREATE OR REPLACE VIEW org_team_acceptance_daily AS\n'
        'SELECT\n'
        '  organization,\n'
        '  team_slug,\n'
        '  team_id,\n'
        '  day,\n'
        '  code_generation_activity_count,\n'
        '  code_acceptance_activity_count,\n'
        '  CASE\n'
        '    WHEN code_generation_activity_count = 0\n'
        '    THEN NULL\n'
        '    ELSE CAST(code_acceptance_activity_count AS DOUBLE) / code_generation_activity_count\n'
        '  END AS acceptance_rate\n'
        'FROM (\n'
        '  SELECT\n'
        '    m.organization,\n'
        '    m.team_slug,\n'
        '    m.team_id,\n'
        '    m.day,\n'
        '    COALESCE(SUM(u.code_generation_activity_count), 0) AS code_generation_activity_count,\n'
        '    COALESCE(SUM(u.code_acceptance_activity_count), 0) AS code_acceptance_activity_count\n'
        '  FROM (\n'
        '    SELECT DISTINCT\n'
        '      organization,\n'
        '      day,\n'
        '      team_id,\n'
        '      team_slug,\n'
        '      user_id\n'
        '    FROM org_user_team_daily\n'
        '  ) AS m\n'
        '  LEFT JOIN org_user_daily AS u\n'
        '    ON u.organization = m.organization AND u.day = m.day AND u.user_id = m.user_id\n'
        '  GROUP BY\n'
        '    m.organization,\n'
        '    m.team_slug,\n'
        '    m.team_id,\n'
        '    m.day\n'
        ') AS totals',
    ),
    (
        'org_team_active_users_daily',
        'CREATE OR REPLACE VIEW org_team_active_users_daily AS\n'
        'SELECT\n'
        '  m.organization,\n'
        '  m.team_slug,\n'
        '  m.team_id,\n'
        '  m.day,\n'
        '  COUNT(DISTINCT u.user_id) AS active_users\n'
        'FROM org_user_team_daily AS m\n'
        'LEFT JOIN org_user_daily AS u\n'
        '  ON u.organization = m.organization AND u.day = m.day AND u.user_id = m.user_id\n'
        'GROUP BY\n'
        '  m.organization,\n'
        '  m.team_slug,\n'
        '  m.team_id,\n'
        '  m.day',
    ),
    (
        'org_team_active_users_monthly',
        'CREATE OR REPLACE VIEW org_team_active_users_monthly AS\n'
        'SELECT\n'
        '  m.organization,\n'
        '  MAX_BY(m.team_slug, m.day) AS team_slug,\n'
        '  m.team_id,\n'
        "  CAST(DATE_TRUNC('MONTH', m.day) AS DATE) AS month_start,\n"
        '  COUNT(DISTINCT u.user_id) AS active_users\n'
        'FROM org_user_team_daily AS m\n'
        'LEFT JOIN org_user_daily AS u\n'
        '  ON u.organization = m.organization AND u.day = m.day AND u.user_id = m.user_id\n'
        'GROUP BY\n'
        '  m.organization,\n'
        '  m.team_id,\n'
        "  CAST(DATE_TRUNC('MONTH', m.day) AS DATE)",
    ),
    (
        'org_team_active_users_weekly',
        'CREATE OR REPLACE VIEW org_team_active_users_weekly AS\n'
        'SELECT\n'
        '  m.organization,\n'
        '  MAX_BY(m.team_slug, m.day) AS team_slug,\n'
        '  m.team_id,\n'
        "  CAST(DATE_TRUNC('WEEK', m.day) AS DATE) AS week_start,\n"
        '  COUNT(DISTINCT u.user_id) AS active_users\n'
        'FROM org_user_team_daily AS m\n'
        'LEFT JOIN org_user_daily AS u\n'
        '  ON u.organization = m.organization AND u.day = m.day AND u.user_id = m.user_id\n'
        'GROUP BY\n'
        '  m.organization,\n'
        '  m.team_id,\n'
        "  CAST(DATE_TRUNC('WEEK', m.day) AS DATE)",
    ),
    (
        'org_team_ai_credits_monthly',
        'CREATE OR REPLACE VIEW org_team_ai_credits_monthly AS\n'
        'SELECT\n'
        '  m.organization,\n'
        "  CAST(DATE_TRUNC('MONTH', m.day) AS DATE) AS month,\n"
        '  MAX_BY(m.team_slug, m.day) AS team_slug,\n'
        '  m.team_id,\n'
        '  SUM(u.ai_credits_used) AS ai_credits\n'
        'FROM org_user_team_daily AS m\n'
        'LEFT JOIN org_user_daily AS u\n'
        '  ON u.organization = m.organization AND u.day = m.day AND u.user_id = m.user_id\n'
        'GROUP BY\n'
        '  m.organization,\n'
        "  CAST(DATE_TRUNC('MONTH', m.day) AS DATE),\n"
        '  m.team_id',
    ),
)
# Each view in DuckDB's SQL, CURRENT_DATE kept (the local engine pins it to its `today`).
DUCKDB_VIEWS: dict[str, str] = {
    'acceptance_by_feature': '/* Per feature (code_completion, chat and agent modes, ...), summed over users (totals_by_feature). */ /* acceptance_rate = acceptances / generations, NULL when there were no generations. */ CREATE OR REPLACE VIEW acceptance_by_feature AS SELECT enterprise, day, feature, code_generation_activity_count, code_acceptance_activity_count, CASE WHEN code_generation_activity_count = 0 THEN NULL ELSE CAST(code_acceptance_activity_count AS DOUBLE) / code_generation_activity_count END AS acceptance_rate FROM (SELECT enterprise, day, feature, SUM(code_generation_activity_count) AS code_generation_activity_count, SUM(code_acceptance_activity_count) AS code_acceptance_activity_count FROM user_feature_daily GROUP BY enterprise, day, feature) AS totals',
    'acceptance_by_ide': '/* Code generations and acceptances per IDE, summed over the users of users-1-day. */ /* acceptance_rate = acceptances / generations, NULL when there were no generations. */ CREATE OR REPLACE VIEW acceptance_by_ide AS SELECT enterprise, day, ide, code_generation_activity_count, code_acceptance_activity_count, CASE WHEN code_generation_activity_count = 0 THEN NULL ELSE CAST(code_acceptance_activity_count AS DOUBLE) / code_generation_activity_count END AS acceptance_rate FROM (SELECT enterprise, day, ide, SUM(code_generation_activity_count) AS code_generation_activity_count, SUM(code_acceptance_activity_count) AS code_acceptance_activity_count FROM user_ide_daily GROUP BY enterprise, day, ide) AS totals',
    'acceptance_by_language': '/* Per language, summed over every feature of every user (totals_by_language_feature). */ /* acceptance_rate = acceptances / generations, NULL when there were no generations. */ CREATE OR REPLACE VIEW acceptance_by_language AS SELECT enterprise, day, language, code_generation_activity_count, code_acceptance_activity_count, CASE WHEN code_generation_activity_count = 0 THEN NULL ELSE CAST(code_acceptance_activity_count AS DOUBLE) / code_generation_activity_count END AS acceptance_rate FROM (SELECT enterprise, day, language, SUM(code_generation_activity_count) AS code_generation_activity_count, SUM(code_acceptance_activity_count) AS code_acceptance_activity_count FROM user_language_feature_daily GROUP BY enterprise, day, language) AS totals',
    'acceptance_by_model': '/* Per model, summed over every feature of every user (totals_by_model_feature: it has a row for */ /* each feature a model served, code completion included, so its model totals are complete). */ /* acceptance_rate = acceptances / generations, NULL when there were no generations. */ CREATE OR REPLACE VIEW acceptance_by_model AS SELECT enterprise, day, model, code_generation_activity_count, code_acceptance_activity_count, CASE WHEN code_generation_activity_count = 0 THEN NULL ELSE CAST(code_acceptance_activity_count AS DOUBLE) / code_generation_activity_count END AS acceptance_rate FROM (SELECT enterprise, day, model, SUM(code_generation_activity_count) AS code_generation_activity_count, SUM(code_acceptance_activity_count) AS code_acceptance_activity_count FROM user_model_feature_daily GROUP BY enterprise, day, model) AS totals',
    'active_users_daily': '/* Distinct users present in users-1-day, per enterprise and day. */ CREATE OR REPLACE VIEW active_users_daily AS SELECT enterprise, day, COUNT(DISTINCT user_id) AS active_users FROM user_daily GROUP BY enterprise, day',
    'active_users_monthly': "/* Distinct users present in users-1-day over each calendar month: never a sum of days. */ CREATE OR REPLACE VIEW active_users_monthly AS SELECT enterprise, CAST(DATE_TRUNC('MONTH', day) AS DATE) AS month_start, COUNT(DISTINCT user_id) AS active_users FROM user_daily GROUP BY enterprise, CAST(DATE_TRUNC('MONTH', day) AS DATE)",
    'active_users_weekly': "/* Distinct users present in users-1-day over each ISO week (Monday start): never a sum of days. */ /* The CAST keeps week_start a date on engines whose date_trunc returns a timestamp. */ CREATE OR REPLACE VIEW active_users_weekly AS SELECT enterprise, CAST(DATE_TRUNC('WEEK', day) AS DATE) AS week_start, COUNT(DISTINCT user_id) AS active_users FROM user_daily GROUP BY enterprise, CAST(DATE_TRUNC('WEEK', day) AS DATE)",
    'ai_credits_monthly': "/* AI credits each user consumed per calendar month: users-1-day's `ai_credits_used` summed. A */ /* metrics signal GitHub derives from its billing data, not a bill (billed_usage_monthly is the */ /* bill, where billing usage is archived). NULL for a user whose days report no credits. */ CREATE OR REPLACE VIEW ai_credits_monthly AS SELECT enterprise, CAST(DATE_TRUNC('MONTH', day) AS DATE) AS month, user_login, SUM(ai_credits_used) AS ai_credits FROM user_daily GROUP BY enterprise, CAST(DATE_TRUNC('MONTH', day) AS DATE), user_login",
    'billed_usage_monthly': "/* What GitHub bills per calendar month, product and model: billing_usage_daily's `net_amount` */ /* (gross less discounts, the latest revision of each day) summed. Enterprise level only, as */ /* GitHub exports billing usage; `model` is NULL where the export carries none. */ CREATE OR REPLACE VIEW billed_usage_monthly AS SELECT enterprise, CAST(DATE_TRUNC('MONTH', day) AS DATE) AS month, product, model, SUM(net_amount) AS net_amount FROM billing_usage_daily GROUP BY enterprise, CAST(DATE_TRUNC('MONTH', day) AS DATE), product, model",
    'enterprise_daily': '/* The enterprise-1-day report per enterprise and day, whichever shape the file came in */ /* (a flat day object or a day_totals wrapper: the indexer writes both into enterprise_day_totals). */ CREATE OR REPLACE VIEW enterprise_daily AS SELECT enterprise, day, daily_active_users, weekly_active_users, monthly_active_users, monthly_active_chat_users, monthly_active_agent_users, daily_active_cli_users, user_initiated_interaction_count, code_generation_activity_count, code_acceptance_activity_count, CASE WHEN code_generation_activity_count = 0 THEN NULL ELSE CAST(code_acceptance_activity_count AS DOUBLE) / code_generation_activity_count END AS acceptance_rate, loc_suggested_to_add_sum, loc_suggested_to_delete_sum, loc_added_sum, loc_deleted_sum, pull_requests_total_created, pull_requests_total_merged, pull_requests_total_reviewed, pull_requests_total_created_by_copilot, pull_requests_total_reviewed_by_copilot, pull_requests_median_minutes_to_merge, report_shape FROM enterprise_day_totals',
    'feature_users_weekly': "/* Distinct users per ISO week (Monday start) who used chat, agent mode or the CLI on any day of it */ /* (users-1-day's used_chat, used_agent, used_cli): never a sum of days. */ /* The CAST keeps week_start a date on engines whose date_trunc returns a timestamp. */ CREATE OR REPLACE VIEW feature_users_weekly AS SELECT enterprise, CAST(DATE_TRUNC('WEEK', day) AS DATE) AS week_start, COUNT(DISTINCT CASE WHEN used_chat THEN user_id END) AS chat_users, COUNT(DISTINCT CASE WHEN used_agent THEN user_id END) AS agent_users, COUNT(DISTINCT CASE WHEN used_cli THEN user_id END) AS cli_users FROM user_daily GROUP BY enterprise, CAST(DATE_TRUNC('WEEK', day) AS DATE)",
    'repo_pull_requests_daily': "/* Pull requests per repository and day, as repos-1-day reports them (the day is the report's). */ CREATE OR REPLACE VIEW repo_pull_requests_daily AS SELECT enterprise, repo_id, repo_name, day, pull_requests_total_created AS total_created, pull_requests_total_merged AS total_merged, pull_requests_total_reviewed AS total_reviewed, pull_requests_total_created_by_copilot AS total_created_by_copilot, pull_requests_total_reviewed_by_copilot AS total_reviewed_by_copilot, pull_requests_total_merged_created_by_copilot AS total_merged_created_by_copilot, pull_requests_total_merged_reviewed_by_copilot AS total_merged_reviewed_by_copilot, pull_requests_total_suggestions AS total_suggestions, pull_requests_total_applied_suggestions AS total_applied_suggestions, pull_requests_total_copilot_suggestions AS total_copilot_suggestions, pull_requests_total_copilot_applied_suggestions AS total_copilot_applied_suggestions, pull_requests_median_minutes_to_merge AS median_minutes_to_merge, pull_requests_median_minutes_to_merge_copilot_authored AS median_minutes_to_merge_copilot_authored, pull_requests_median_minutes_to_merge_copilot_reviewed AS median_minutes_to_merge_copilot_reviewed FROM repo_daily",
    'report_status': "/* One row per report-day of the window, so analysts and alarms see what is there: */ /*   * the 1-day reports, every day from greatest(2025-10-10, today - 365 days) to yesterday, */ /*     for every enterprise the indexer has seen (a team or repository day GitHub answered */ /*     204 for, no data, stays missing: the archive holds nothing for it); */ /*   * the 28-day reports, for the report-days (end days) that were indexed. */ /* status is the manifest's (ok or empty) where the indexer recorded the report-day, else missing. */ /* The CASTs keep `day` a date on engines whose date arithmetic yields timestamps. */ CREATE OR REPLACE VIEW report_status AS WITH window_days AS (SELECT CAST(d.day AS DATE) AS day FROM UNNEST(GENERATE_SERIES(CAST(CASE WHEN CAST('2025-10-10' AS DATE) IS NULL OR (CURRENT_DATE - INTERVAL '365' DAY) IS NULL THEN NULL ELSE GREATEST(CAST('2025-10-10' AS DATE), CURRENT_DATE - INTERVAL '365' DAY) END AS DATE), CAST(CURRENT_DATE - INTERVAL '1' DAY AS DATE), INTERVAL '1' DAY)) AS d(day)), enterprises AS (SELECT DISTINCT enterprise FROM index_status), one_day_reports AS (SELECT report FROM (VALUES ('enterprise-1-day'), ('users-1-day'), ('user-teams-1-day'), ('repos-1-day')) AS r(report)), expected AS (SELECT r.report, e.enterprise, w.day FROM one_day_reports AS r CROSS JOIN enterprises AS e CROSS JOIN window_days AS w UNION SELECT report, enterprise, day FROM index_status WHERE report IN ('enterprise-28-day', 'users-28-day')) SELECT x.report, x.enterprise, x.day, COALESCE(s.manifest_status, 'missing') AS status, COALESCE(s.files, 0) AS files, COALESCE(s.bytes, 0) AS bytes, COALESCE(s.lines, 0) AS lines, COALESCE(s.indexed, FALSE) AS indexed FROM expected AS x LEFT JOIN index_status AS s ON s.report = x.report AND s.enterprise = x.enterprise AND s.day = x.day",
    'team_acceptance_daily': "/* Code generations and acceptances per team and day, summed over the team's members who have a */ /* users-1-day row that day (joined on user_id and day; a member listed twice counts once). */ /* acceptance_rate = acceptances / generations, NULL when there were no generations. */ CREATE OR REPLACE VIEW team_acceptance_daily AS SELECT enterprise, team_slug, team_id, day, code_generation_activity_count, code_acceptance_activity_count, CASE WHEN code_generation_activity_count = 0 THEN NULL ELSE CAST(code_acceptance_activity_count AS DOUBLE) / code_generation_activity_count END AS acceptance_rate FROM (SELECT m.enterprise, m.team_slug, m.team_id, m.day, COALESCE(SUM(u.code_generation_activity_count), 0) AS code_generation_activity_count, COALESCE(SUM(u.code_acceptance_activity_count), 0) AS code_acceptance_activity_count FROM (SELECT DISTINCT enterprise, day, team_id, team_slug, user_id FROM user_team_daily) AS m LEFT JOIN user_daily AS u ON u.enterprise = m.enterprise AND u.day = m.day AND u.user_id = m.user_id GROUP BY m.enterprise, m.team_slug, m.team_id, m.day) AS totals",
    'team_active_users_daily': '/* Members of each team (user-teams-1-day) who have a users-1-day row that day: distinct users, */ /* joined on user_id and day. A team listed that day with no active member has 0. GitHub leaves */ /* teams with fewer than 5 seated users out of user-teams-1-day, so they have no row here. */ /* Read it beside report_status: a day whose users-1-day is not archived yet shows 0 here. */ CREATE OR REPLACE VIEW team_active_users_daily AS SELECT m.enterprise, m.team_slug, m.team_id, m.day, COUNT(DISTINCT u.user_id) AS active_users FROM user_team_daily AS m LEFT JOIN user_daily AS u ON u.enterprise = m.enterprise AND u.day = m.day AND u.user_id = m.user_id GROUP BY m.enterprise, m.team_slug, m.team_id, m.day',
    'team_active_users_monthly': "/* Distinct users active on a day they were in the team, over each calendar month: never a sum */ /* of days. A team renamed within the month keeps the slug of its latest day. */ CREATE OR REPLACE VIEW team_active_users_monthly AS SELECT m.enterprise, ARG_MAX(m.team_slug, m.day) AS team_slug, m.team_id, CAST(DATE_TRUNC('MONTH', m.day) AS DATE) AS month_start, COUNT(DISTINCT u.user_id) AS active_users FROM user_team_daily AS m LEFT JOIN user_daily AS u ON u.enterprise = m.enterprise AND u.day = m.day AND u.user_id = m.user_id GROUP BY m.enterprise, m.team_id, CAST(DATE_TRUNC('MONTH', m.day) AS DATE)",
    'team_active_users_weekly': "/* Distinct users active on a day they were in the team, over each ISO week (Monday start): */ /* never a sum of days. A team renamed within the week keeps the slug of its latest day. */ /* The CAST keeps week_start a date on engines whose date_trunc returns a timestamp. */ CREATE OR REPLACE VIEW team_active_users_weekly AS SELECT m.enterprise, ARG_MAX(m.team_slug, m.day) AS team_slug, m.team_id, CAST(DATE_TRUNC('WEEK', m.day) AS DATE) AS week_start, COUNT(DISTINCT u.user_id) AS active_users FROM user_team_daily AS m LEFT JOIN user_daily AS u ON u.enterprise = m.enterprise AND u.day = m.day AND u.user_id = m.user_id GROUP BY m.enterprise, m.team_id, CAST(DATE_TRUNC('WEEK', m.day) AS DATE)",
    'team_ai_credits_monthly': "/* AI credits of each team per calendar month: users-1-day's `ai_credits_used` of its members on */ /* the days they were in the team (user-teams-1-day), so a user in two teams counts in both. A */ /* metrics signal, not a bill. NULL for a team none of whose members reported credits that month; */ /* a team renamed within the month keeps the slug of its latest day. */ CREATE OR REPLACE VIEW team_ai_credits_monthly AS SELECT m.enterprise, CAST(DATE_TRUNC('MONTH', m.day) AS DATE) AS month, ARG_MAX(m.team_slug, m.day) AS team_slug, m.team_id, SUM(u.ai_credits_used) AS ai_credits FROM user_team_daily AS m LEFT JOIN user_daily AS u ON u.enterprise = m.enterprise AND u.day = m.day AND u.user_id = m.user_id GROUP BY m.enterprise, CAST(DATE_TRUNC('MONTH', m.day) AS DATE), m.team_id",
    'org_acceptance_by_feature': 'CREATE OR REPLACE VIEW org_acceptance_by_feature AS SELECT organization, day, feature, code_generation_activity_count, code_acceptance_activity_count, CASE WHEN code_generation_activity_count = 0 THEN NULL ELSE CAST(code_acceptance_activity_count AS DOUBLE) / code_generation_activity_count END AS acceptance_rate FROM (SELECT organization, day, feature, SUM(code_generation_activity_count) AS code_generation_activity_count, SUM(code_acceptance_activity_count) AS code_acceptance_activity_count FROM org_user_feature_daily GROUP BY organization, day, feature) AS totals',
    'org_acceptance_by_ide': 'CREATE OR REPLACE VIEW org_acceptance_by_ide AS SELECT organization, day, ide, code_generation_activity_count, code_acceptance_activity_count, CASE WHEN code_generation_activity_count = 0 THEN NULL ELSE CAST(code_acceptance_activity_count AS DOUBLE) / code_generation_activity_count END AS acceptance_rate FROM (SELECT organization, day, ide, SUM(code_generation_activity_count) AS code_generation_activity_count, SUM(code_acceptance_activity_count) AS code_acceptance_activity_count FROM org_user_ide_daily GROUP BY organization, day, ide) AS totals',
    'org_acceptance_by_language': 'CREATE OR REPLACE VIEW org_acceptance_by_language AS SELECT organization, day, language, code_generation_activity_count, code_acceptance_activity_count, CASE WHEN code_generation_activity_count = 0 THEN NULL ELSE CAST(code_acceptance_activity_count AS DOUBLE) / code_generation_activity_count END AS acceptance_rate FROM (SELECT organization, day, language, SUM(code_generation_activity_count) AS code_generation_activity_count, SUM(code_acceptance_activity_count) AS code_acceptance_activity_count FROM org_user_language_feature_daily GROUP BY organization, day, language) AS totals',
    'org_acceptance_by_model': 'CREATE OR REPLACE VIEW org_acceptance_by_model AS SELECT organization, day, model, code_generation_activity_count, code_acceptance_activity_count, CASE WHEN code_generation_activity_count = 0 THEN NULL ELSE CAST(code_acceptance_activity_count AS DOUBLE) / code_generation_activity_count END AS acceptance_rate FROM (SELECT organization, day, model, SUM(code_generation_activity_count) AS code_generation_activity_count, SUM(code_acceptance_activity_count) AS code_acceptance_activity_count FROM org_user_model_feature_daily GROUP BY organization, day, model) AS totals',
    'org_active_users_daily': 'CREATE OR REPLACE VIEW org_active_users_daily AS SELECT organization, day, COUNT(DISTINCT user_id) AS active_users FROM org_user_daily GROUP BY organization, day',
    'org_active_users_monthly': "CREATE OR REPLACE VIEW org_active_users_monthly AS SELECT organization, CAST(DATE_TRUNC('MONTH', day) AS DATE) AS month_start, COUNT(DISTINCT user_id) AS active_users FROM org_user_daily GROUP BY organization, CAST(DATE_TRUNC('MONTH', day) AS DATE)",
    'org_active_users_weekly': "CREATE OR REPLACE VIEW org_active_users_weekly AS SELECT organization, CAST(DATE_TRUNC('WEEK', day) AS DATE) AS week_start, COUNT(DISTINCT user_id) AS active_users FROM org_user_daily GROUP BY organization, CAST(DATE_TRUNC('WEEK', day) AS DATE)",
    'org_ai_credits_monthly': "CREATE OR REPLACE VIEW org_ai_credits_monthly AS SELECT organization, CAST(DATE_TRUNC('MONTH', day) AS DATE) AS month, user_login, SUM(ai_credits_used) AS ai_credits FROM org_user_daily GROUP BY organization, CAST(DATE_TRUNC('MONTH', day) AS DATE), user_login",
    'org_enterprise_daily': 'CREATE OR REPLACE VIEW org_enterprise_daily AS SELECT organization, day, daily_active_users, weekly_active_users, monthly_active_users, monthly_active_chat_users, monthly_active_agent_users, daily_active_cli_users, user_initiated_interaction_count, code_generation_activity_count, code_acceptance_activity_count, CASE WHEN code_generation_activity_count = 0 THEN NULL ELSE CAST(code_acceptance_activity_count AS DOUBLE) / code_generation_activity_count END AS acceptance_rate, loc_suggested_to_add_sum, loc_suggested_to_delete_sum, loc_added_sum, loc_deleted_sum, pull_requests_total_created, pull_requests_total_merged, pull_requests_total_reviewed, pull_requests_total_created_by_copilot, pull_requests_total_reviewed_by_copilot, pull_requests_median_minutes_to_merge, report_shape FROM org_enterprise_day_totals',
    'org_feature_users_weekly': "CREATE OR REPLACE VIEW org_feature_users_weekly AS SELECT organization, CAST(DATE_TRUNC('WEEK', day) AS DATE) AS week_start, COUNT(DISTINCT CASE WHEN used_chat THEN user_id END) AS chat_users, COUNT(DISTINCT CASE WHEN used_agent THEN user_id END) AS agent_users, COUNT(DISTINCT CASE WHEN used_cli THEN user_id END) AS cli_users FROM org_user_daily GROUP BY organization, CAST(DATE_TRUNC('WEEK', day) AS DATE)",
    'org_repo_pull_requests_daily': 'CREATE OR REPLACE VIEW org_repo_pull_requests_daily AS SELECT organization, repo_id, repo_name, day, pull_requests_total_created AS total_created, pull_requests_total_merged AS total_merged, pull_requests_total_reviewed AS total_reviewed, pull_requests_total_created_by_copilot AS total_created_by_copilot, pull_requests_total_reviewed_by_copilot AS total_reviewed_by_copilot, pull_requests_total_merged_created_by_copilot AS total_merged_created_by_copilot, pull_requests_total_merged_reviewed_by_copilot AS total_merged_reviewed_by_copilot, pull_requests_total_suggestions AS total_suggestions, pull_requests_total_applied_suggestions AS total_applied_suggestions, pull_requests_total_copilot_suggestions AS total_copilot_suggestions, pull_requests_total_copilot_applied_suggestions AS total_copilot_applied_suggestions, pull_requests_median_minutes_to_merge AS median_minutes_to_merge, pull_requests_median_minutes_to_merge_copilot_authored AS median_minutes_to_merge_copilot_authored, pull_requests_median_minutes_to_merge_copilot_reviewed AS median_minutes_to_merge_copilot_reviewed FROM org_repo_daily',
    'org_report_status': "CREATE OR REPLACE VIEW org_report_status AS WITH window_days AS (SELECT CAST(d.day AS DATE) AS day FROM UNNEST(GENERATE_SERIES(CAST(CASE WHEN CAST('2025-10-10' AS DATE) IS NULL OR (CURRENT_DATE - INTERVAL '365' DAY) IS NULL THEN NULL ELSE GREATEST(CAST('2025-10-10' AS DATE), CURRENT_DATE - INTERVAL '365' DAY) END AS DATE), CAST(CURRENT_DATE - INTERVAL '1' DAY AS DATE), INTERVAL '1' DAY)) AS d(day)), enterprises AS (SELECT DISTINCT organization FROM org_index_status), one_day_reports AS (SELECT report FROM (VALUES ('organization-1-day'), ('users-1-day'), ('user-teams-1-day'), ('repos-1-day')) AS r(report)), expected AS (SELECT r.report, e.organization, w.day FROM one_day_reports AS r CROSS JOIN enterprises AS e CROSS JOIN window_days AS w UNION SELECT report, organization, day FROM org_index_status WHERE report IN ('organization-28-day', 'users-28-day')) SELECT x.report, x.organization, x.day, COALESCE(s.manifest_status, 'missing') AS status, COALESCE(s.files, 0) AS files, COALESCE(s.bytes, 0) AS bytes, COALESCE(s.lines, 0) AS lines, COALESCE(s.indexed, FALSE) AS indexed FROM expected AS x LEFT JOIN org_index_status AS s ON s.report = x.report AND s.organization = x.organization AND s.day = x.day",
    'org_team_acceptance_daily': 'CREATE OR REPLACE VIEW org_team_acceptance_daily AS SELECT organization, team_slug, team_id, day, code_generation_activity_count, code_acceptance_activity_count, CASE WHEN code_generation_activity_count = 0 THEN NULL ELSE CAST(code_acceptance_activity_count AS DOUBLE) / code_generation_activity_count END AS acceptance_rate FROM (SELECT m.organization, m.team_slug, m.team_id, m.day, COALESCE(SUM(u.code_generation_activity_count), 0) AS code_generation_activity_count, COALESCE(SUM(u.code_acceptance_activity_count), 0) AS code_acceptance_activity_count FROM (SELECT DISTINCT organization, day, team_id, team_slug, user_id FROM org_user_team_daily) AS m LEFT JOIN org_user_daily AS u ON u.organization = m.organization AND u.day = m.day AND u.user_id = m.user_id GROUP BY m.organization, m.team_slug, m.team_id, m.day) AS totals',
    'org_team_active_users_daily': 'CREATE OR REPLACE VIEW org_team_active_users_daily AS SELECT m.organization, m.team_slug, m.team_id, m.day, COUNT(DISTINCT u.user_id) AS active_users FROM org_user_team_daily AS m LEFT JOIN org_user_daily AS u ON u.organization = m.organization AND u.day = m.day AND u.user_id = m.user_id GROUP BY m.organization, m.team_slug, m.team_id, m.day',
    'org_team_active_users_monthly': "CREATE OR REPLACE VIEW org_team_active_users_monthly AS SELECT m.organization, ARG_MAX(m.team_slug, m.day) AS team_slug, m.team_id, CAST(DATE_TRUNC('MONTH', m.day) AS DATE) AS month_start, COUNT(DISTINCT u.user_id) AS active_users FROM org_user_team_daily AS m LEFT JOIN org_user_daily AS u ON u.organization = m.organization AND u.day = m.day AND u.user_id = m.user_id GROUP BY m.organization, m.team_id, CAST(DATE_TRUNC('MONTH', m.day) AS DATE)",
    'org_team_active_users_weekly': "CREATE OR REPLACE VIEW org_team_active_users_weekly AS SELECT m.organization, ARG_MAX(m.team_slug, m.day) AS team_slug, m.team_id, CAST(DATE_TRUNC('WEEK', m.day) AS DATE) AS week_start, COUNT(DISTINCT u.user_id) AS active_users FROM org_user_team_daily AS m LEFT JOIN org_user_daily AS u ON u.organization = m.organization AND u.day = m.day AND u.user_id = m.user_id GROUP BY m.organization, m.team_id, CAST(DATE_TRUNC('WEEK', m.day) AS DATE)",
    'org_team_ai_credits_monthly': "CREATE OR REPLACE VIEW org_team_ai_credits_monthly AS SELECT m.organization, CAST(DATE_TRUNC('MONTH', m.day) AS DATE) AS month, ARG_MAX(m.team_slug, m.day) AS team_slug, m.team_id, SUM(u.ai_credits_used) AS ai_credits FROM org_user_team_daily AS m LEFT JOIN org_user_daily AS u ON u.organization = m.organization AND u.day = m.day AND u.user_id = m.user_id GROUP BY m.organization, CAST(DATE_TRUNC('MONTH', m.day) AS DATE), m.team_id",
}
# CURRENT_DATE pinned to a day, as sqlglot writes it in DuckDB.
PINNED_DAY = "CAST('{day}' AS DATE)"
# The tables and views each view reads.
READS: dict[str, tuple[str, ...]] = {
    'acceptance_by_feature': ('user_feature_daily',),
    'acceptance_by_ide': ('user_ide_daily',),
    'acceptance_by_language': ('user_language_feature_daily',),
    'acceptance_by_model': ('user_model_feature_daily',),
    'active_users_daily': ('user_daily',),
    'active_users_monthly': ('user_daily',),
    'active_users_weekly': ('user_daily',),
    'ai_credits_monthly': ('user_daily',),
    'billed_usage_monthly': ('billing_usage_daily',),
    'enterprise_daily': ('enterprise_day_totals',),
    'feature_users_weekly': ('user_daily',),
    'repo_pull_requests_daily': ('repo_daily',),
    'report_status': ('index_status',),
    'team_acceptance_daily': ('user_daily', 'user_team_daily'),
    'team_active_users_daily': ('user_daily', 'user_team_daily'),
    'team_active_users_monthly': ('user_daily', 'user_team_daily'),
    'team_active_users_weekly': ('user_daily', 'user_team_daily'),
    'team_ai_credits_monthly': ('user_daily', 'user_team_daily'),
    'org_acceptance_by_feature': ('org_user_feature_daily',),
    'org_acceptance_by_ide': ('org_user_ide_daily',),
    'org_acceptance_by_language': ('org_user_language_feature_daily',),
    'org_acceptance_by_model': ('org_user_model_feature_daily',),
    'org_active_users_daily': ('org_user_daily',),
    'org_active_users_monthly': ('org_user_daily',),
    'org_active_users_weekly': ('org_user_daily',),
    'org_ai_credits_monthly': ('org_user_daily',),
    'org_enterprise_daily': ('org_enterprise_day_totals',),
    'org_feature_users_weekly': ('org_user_daily',),
    'org_repo_pull_requests_daily': ('org_repo_daily',),
    'org_report_status': ('org_index_status',),
    'org_team_acceptance_daily': ('org_user_daily', 'org_user_team_daily'),
    'org_team_active_users_daily': ('org_user_daily', 'org_user_team_daily'),
    'org_team_active_users_monthly': ('org_user_daily', 'org_user_team_daily'),
    'org_team_active_users_weekly': ('org_user_daily', 'org_user_team_daily'),
    'org_team_ai_credits_monthly': ('org_user_daily', 'org_user_team_daily'),
}
# Each Athena column type of the contract in DuckDB's words.
DUCKDB_TYPES: dict[str, str] = {
    'bigint': 'BIGINT',
    'boolean': 'BOOLEAN',
    'date': 'DATE',
    'double': 'DOUBLE',
    'int': 'INT',
    'string': 'TEXT',
    'timestamp': 'TIMESTAMP',
}
