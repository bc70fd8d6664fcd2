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
        'language_names',
        'CREATE OR REPLACE VIEW language_names AS\n'
        'SELECT raw_language, language, is_language\n'
        'FROM (\n'
        'VALUES\n'
        "  ('bash', 'shellscript', TRUE),\n"
        "  ('c#', 'csharp', TRUE),\n"
        "  ('c++', 'cpp', TRUE),\n"
        "  ('cpp', 'cpp', TRUE),\n"
        "  ('cs', 'csharp', TRUE),\n"
        "  ('csharp', 'csharp', TRUE),\n"
        "  ('docker', 'docker', TRUE),\n"
        "  ('dockerfile', 'docker', TRUE),\n"
        "  ('go', 'go', TRUE),\n"
        "  ('golang', 'go', TRUE),\n"
        "  ('hcl', 'terraform', TRUE),\n"
        "  ('javascript', 'javascript', TRUE),\n"
        "  ('javascriptreact', 'javascriptreact', TRUE),\n"
        "  ('js', 'javascript', TRUE),\n"
        "  ('jsx', 'javascriptreact', TRUE),\n"
        "  ('kotlin', 'kotlin', TRUE),\n"
        "  ('kt', 'kotlin', TRUE),\n"
        "  ('markdown', 'markdown', TRUE),\n"
        "  ('md', 'markdown', TRUE),\n"
        "  ('other', 'other', FALSE),\n"
        "  ('others', 'others', FALSE),\n"
        "  ('plaintext', 'plaintext', FALSE),\n"
        "  ('powershell', 'powershell', TRUE),\n"
        "  ('prompt', 'prompt', FALSE),\n"
        "  ('ps1', 'powershell', TRUE),\n"
        "  ('py', 'python', TRUE),\n"
        "  ('python', 'python', TRUE),\n"
        "  ('python3', 'python', TRUE),\n"
        "  ('rb', 'ruby', TRUE),\n"
        "  ('rs', 'rust', TRUE),\n"
        "  ('ruby', 'ruby', TRUE),\n"
        "  ('rust', 'rust', TRUE),\n"
        "  ('sh', 'shellscript', TRUE),\n"
        "  ('shell', 'shellscript', TRUE),\n"
        "  ('shellscript', 'shellscript', TRUE),\n"
        "  ('terraform', 'terraform', TRUE),\n"
        "  ('tf', 'terraform', TRUE),\n"
        "  ('ts', 'typescript', TRUE),\n"
        "  ('tsx', 'typescriptreact', TRUE),\n"
        "  ('typescript', 'typescript', TRUE),\n"
        "  ('typescriptreact', 'typescriptreact', TRUE),\n"
        "  ('unknown', 'unknown', FALSE),\n"
        "  ('vscode', 'vscode', FALSE),\n"
        "  ('yaml', 'yaml', TRUE),\n"
        "  ('yml', 'yaml', TRUE)\n"
        ') AS names (raw_language, language, is_language)\n',
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
        '  END AS acceptance_rate,\n'
        '  raw_language,\n'
        '  is_language\n'
        'FROM (\n'
        '  SELECT\n'
        '    t.enterprise,\n'
        '    t.day,\n'
        '    coalesce(n.language, lower(t.language)) AS language,\n'
        '    t.language AS raw_language,\n'
        '    coalesce(n.is_language, true) AS is_language,\n'
        '    sum(t.code_generation_activity_count) AS code_generation_activity_count,\n'
        '    sum(t.code_acceptance_activity_count) AS code_acceptance_activity_count\n'
        '  FROM user_language_feature_daily AS t\n'
        '  LEFT JOIN language_names AS n\n'
        '    ON n.raw_language = lower(t.language)\n'
        '  GROUP BY t.enterprise, t.day, coalesce(n.language, lower(t.language)), t.language, coalesce(n.is_language, true)\n'
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
        'data_quality_daily',
        'CREATE OR REPLACE VIEW data_quality_daily AS\n'
        'SELECT\n'
        '  s.enterprise,\n'
        '  s.day,\n'
        '  s.report,\n'
        '  s.lines,\n'
        "  CASE WHEN s.report = 'users-1-day' THEN coalesce(u.reduced_shape_lines, 0) END AS reduced_shape_lines,\n"
        '  s.mistyped_values,\n'
        '  s.unknown_fields\n'
        'FROM index_status AS s\n'
        'LEFT JOIN (\n'
        '  SELECT enterprise, day, sum(CASE WHEN reduced_shape THEN 1 ELSE 0 END) AS reduced_shape_lines\n'
        '  FROM user_daily\n'
        '  GROUP BY enterprise, day\n'
        ') AS u\n'
        "  ON s.report = 'users-1-day' AND u.enterprise = s.enterprise AND u.day = s.day\n",
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
        '  report_shape,\n'
        '  CASE\n'
        '    WHEN loc_suggested_to_add_sum = 0 THEN NULL\n'
        '    ELSE CAST(loc_added_sum AS double) / loc_suggested_to_add_sum\n'
        '  END AS loc_added_per_suggested,\n'
        '  loc_added_sum > loc_suggested_to_add_sum AS loc_added_exceeds_suggested\n'
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
        '  count(DISTINCT CASE WHEN used_cli THEN user_id END) AS cli_users,\n'
        '  count(DISTINCT CASE WHEN reduced_shape THEN user_id END) AS unjudged_users,\n'
        '  sum(CASE WHEN reduced_shape THEN 1 ELSE 0 END) AS unjudged_lines\n'
        'FROM user_daily\n'
        "GROUP BY enterprise, CAST(date_trunc('week', day) AS date)\n",
    ),
    (
        'inactive_seats',
        'CREATE OR REPLACE VIEW inactive_seats AS\n'
        'WITH\n'
        'holders AS (\n'
        '  SELECT\n'
        '    enterprise,\n'
        '    day,\n'
        '    user_id,\n'
        '    max(user_login) AS user_login,\n'
        '    max(plan_type) AS plan_type,\n'
        '    CAST(min(created_at) AS date) AS assigned_on,\n'
        '    CAST(max(last_activity_at) AS date) AS github_last_active\n'
        '  FROM seat_daily\n'
        '  GROUP BY enterprise, day, user_id\n'
        '),\n'
        'archived AS (\n'
        '  SELECT h.enterprise, h.day, h.user_id, max(u.day) AS last_active_day\n'
        '  FROM holders AS h\n'
        '  INNER JOIN user_daily AS u\n'
        '    ON u.enterprise = h.enterprise AND u.user_id = h.user_id AND u.day <= h.day\n'
        '  GROUP BY h.enterprise, h.day, h.user_id\n'
        ')\n'
        'SELECT\n'
        '  h.enterprise,\n'
        '  h.day,\n'
        '  h.user_login,\n'
        '  h.plan_type,\n'
        '  h.assigned_on,\n'
        '  coalesce(a.last_active_day, h.github_last_active) AS last_active_day,\n'
        "  date_diff('day', coalesce(a.last_active_day, h.github_last_active), h.day) AS days_inactive,\n"
        '  p.monthly_price_usd\n'
        'FROM holders AS h\n'
        'LEFT JOIN archived AS a\n'
        '  ON a.enterprise = h.enterprise AND a.day = h.day AND a.user_id = h.user_id\n'
        'LEFT JOIN seat_price AS p\n'
        '  ON p.enterprise = h.enterprise AND p.day = h.day AND p.plan_type = h.plan_type\n'
        "WHERE a.last_active_day IS NULL OR a.last_active_day < CAST(h.day - INTERVAL '29' DAY AS date)\n",
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
        'restatements',
        'CREATE OR REPLACE VIEW restatements AS\n'
        'SELECT\n'
        '  enterprise,\n'
        '  day,\n'
        '  report,\n'
        '  metric,\n'
        '  user_login,\n'
        '  archived_value,\n'
        '  restated_value,\n'
        '  first_seen\n'
        'FROM restatement_log\n',
    ),
    (
        'seat_cost_monthly',
        'CREATE OR REPLACE VIEW seat_cost_monthly AS\n'
        'WITH\n'
        'last_snapshot AS (\n'
        "  SELECT enterprise, CAST(date_trunc('month', day) AS date) AS month, max(day) AS day\n"
        '  FROM seat_daily\n'
        "  GROUP BY enterprise, CAST(date_trunc('month', day) AS date)\n"
        '),\n'
        'holders AS (\n'
        '  SELECT s.enterprise, l.month, s.day, s.user_id, max(s.plan_type) AS plan_type\n'
        '  FROM seat_daily AS s\n'
        '  INNER JOIN last_snapshot AS l\n'
        '    ON l.enterprise = s.enterprise AND l.day = s.day\n'
        '  GROUP BY s.enterprise, l.month, s.day, s.user_id\n'
        '),\n'
        'priced AS (\n'
        '  SELECT h.enterprise, h.month, h.day, count(*) AS seats, sum(p.monthly_price_usd) AS seat_cost_usd\n'
        '  FROM holders AS h\n'
        '  LEFT JOIN seat_price AS p\n'
        '    ON p.enterprise = h.enterprise AND p.day = h.day AND p.plan_type = h.plan_type\n'
        '  GROUP BY h.enterprise, h.month, h.day\n'
        '),\n'
        'reported AS (\n'
        "  SELECT DISTINCT enterprise, CAST(date_trunc('month', day) AS date) AS month\n"
        '  FROM index_status\n'
        "  WHERE report = 'users-1-day' AND indexed\n"
        '),\n'
        'active AS (\n'
        '  SELECT h.enterprise, h.month, count(DISTINCT h.user_id) AS active_users\n'
        '  FROM holders AS h\n'
        '  INNER JOIN user_daily AS u\n'
        '    ON u.enterprise = h.enterprise AND u.user_id = h.user_id\n'
        "    AND CAST(date_trunc('month', u.day) AS date) = h.month\n"
        '  GROUP BY h.enterprise, h.month\n'
        '),\n'
        'inactive AS (\n'
        '  SELECT enterprise, day, count(*) AS inactive_seats\n'
        '  FROM inactive_seats\n'
        '  GROUP BY enterprise, day\n'
        ')\n'
        'SELECT\n'
        '  p.enterprise,\n'
        '  p.month,\n'
        '  p.seats,\n'
        '  CASE WHEN r.month IS NULL THEN NULL ELSE coalesce(a.active_users, 0) END AS active_users,\n'
        '  coalesce(i.inactive_seats, 0) AS inactive_seats,\n'
        '  p.seat_cost_usd,\n'
        '  p.seat_cost_usd / nullif(CASE WHEN r.month IS NULL THEN NULL ELSE coalesce(a.active_users, 0) END, 0)\n'
        '    AS cost_per_active_user_usd\n'
        'FROM priced AS p\n'
        'LEFT JOIN reported AS r\n'
        '  ON r.enterprise = p.enterprise AND r.month = p.month\n'
        'LEFT JOIN active AS a\n'
        '  ON a.enterprise = p.enterprise AND a.month = p.month\n'
        'LEFT JOIN inactive AS i\n'
        '  ON i.enterprise = p.enterprise AND i.day = p.day\n',
    ),
    (
        'seats_daily',
        'CREATE OR REPLACE VIEW seats_daily AS\n'
        'WITH\n'
        'holders AS (\n'
        '  SELECT\n'
        '    enterprise,\n'
        '    day,\n'
        '    user_id,\n'
        '    max(CASE WHEN pending_cancellation_date IS NOT NULL THEN 1 ELSE 0 END) AS pending\n'
        '  FROM seat_daily\n'
        '  GROUP BY enterprise, day, user_id\n'
        '),\n'
        'reported AS (\n'
        '  SELECT DISTINCT enterprise, day\n'
        '  FROM index_status\n'
        "  WHERE report = 'users-1-day' AND indexed\n"
        '),\n'
        'counted AS (\n'
        '  SELECT\n'
        '    h.enterprise,\n'
        '    h.day,\n'
        '    count(*) AS seats,\n'
        '    count(DISTINCT u.user_id) AS active_holders,\n'
        '    sum(h.pending) AS pending_cancellation\n'
        '  FROM holders AS h\n'
        '  LEFT JOIN user_daily AS u\n'
        '    ON u.enterprise = h.enterprise AND u.day = h.day AND u.user_id = h.user_id\n'
        '  GROUP BY h.enterprise, h.day\n'
        ')\n'
        'SELECT\n'
        '  c.enterprise,\n'
        '  c.day,\n'
        '  c.seats,\n'
        '  CASE WHEN r.day IS NULL THEN NULL ELSE c.active_holders END AS active_users,\n'
        '  CASE WHEN r.day IS NULL THEN NULL ELSE CAST(c.active_holders AS double) / c.seats END AS active_share,\n'
        '  c.pending_cancellation\n'
        'FROM counted AS c\n'
        'LEFT JOIN reported AS r\n'
        '  ON r.enterprise = c.enterprise AND r.day = c.day\n',
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
        'org_language_names',
        'CREATE OR REPLACE VIEW org_language_names AS\n'
        'SELECT\n'
        '  raw_language,\n'
        '  language,\n'
        '  is_language\n'
        'FROM (VALUES\n'
        "  ('bash', 'shellscript', TRUE),\n"
        "  ('c#', 'csharp', TRUE),\n"
        "  ('c++', 'cpp', TRUE),\n"
        "  ('cpp', 'cpp', TRUE),\n"
        "  ('cs', 'csharp', TRUE),\n"
        "  ('csharp', 'csharp', TRUE),\n"
        "  ('docker', 'docker', TRUE),\n"
        "  ('dockerfile', 'docker', TRUE),\n"
        "  ('go', 'go', TRUE),\n"
        "  ('golang', 'go', TRUE),\n"
        "  ('hcl', 'terraform', TRUE),\n"
        "  ('javascript', 'javascript', TRUE),\n"
        "  ('javascriptreact', 'javascriptreact', TRUE),\n"
        "  ('js', 'javascript', TRUE),\n"
        "  ('jsx', 'javascriptreact', TRUE),\n"
        "  ('kotlin', 'kotlin', TRUE),\n"
        "  ('kt', 'kotlin', TRUE),\n"
        "  ('markdown', 'markdown', TRUE),\n"
        "  ('md', 'markdown', TRUE),\n"
        "  ('other', 'other', FALSE),\n"
        "  ('others', 'others', FALSE),\n"
        "  ('plaintext', 'plaintext', FALSE),\n"
        "  ('powershell', 'powershell', TRUE),\n"
        "  ('prompt', 'prompt', FALSE),\n"
        "  ('ps1', 'powershell', TRUE),\n"
        "  ('py', 'python', TRUE),\n"
        "  ('python', 'python', TRUE),\n"
        "  ('python3', 'python', TRUE),\n"
        "  ('rb', 'ruby', TRUE),\n"
        "  ('rs', 'rust', TRUE),\n"
        "  ('ruby', 'ruby', TRUE),\n"
        "  ('rust', 'rust', TRUE),\n"
        "  ('sh', 'shellscript', TRUE),\n"
        "  ('shell', 'shellscript', TRUE),\n"
        "  ('shellscript', 'shellscript', TRUE),\n"
        "  ('terraform', 'terraform', TRUE),\n"
        "  ('tf', 'terraform', TRUE),\n"
        "  ('ts', 'typescript', TRUE),\n"
        "  ('tsx', 'typescriptreact', TRUE),\n"
        "  ('typescript', 'typescript', TRUE),\n"
        "  ('typescriptreact', 'typescriptreact', TRUE),\n"
        "  ('unknown', 'unknown', FALSE),\n"
        "  ('vscode', 'vscode', FALSE),\n"
        "  ('yaml', 'yaml', TRUE),\n"
        "  ('yml', 'yaml', TRUE)) AS names(raw_language, language, is_language)",
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
        '  END AS acceptance_rate,\n'
        '  raw_language,\n'
        '  is_language\n'
        'FROM (\n'
        '  SELECT\n'
        '    t.organization,\n'
        '    t.day,\n'
        '    COALESCE(n.language, LOWER(t.language)) AS language,\n'
        '    t.language AS raw_language,\n'
        '    COALESCE(n.is_language, TRUE) AS is_language,\n'
        '    SUM(t.code_generation_activity_count) AS code_generation_activity_count,\n'
        '    SUM(t.code_acceptance_activity_count) AS code_acceptance_activity_count\n'
        '  FROM org_user_language_feature_daily AS t\n'
        '  LEFT JOIN org_language_names AS n\n'
        '    ON n.raw_language = LOWER(t.language)\n'
        '  GROUP BY\n'
        '    t.organization,\n'
        '    t.day,\n'
        '    COALESCE(n.language, LOWER(t.language)),\n'
        '    t.language,\n'
        '    COALESCE(n.is_language, TRUE)\n'
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
        'org_data_quality_daily',
        'CREATE OR REPLACE VIEW org_data_quality_daily AS\n'
        'SELECT\n'
        '  s.organization,\n'
        '  s.day,\n'
        '  s.report,\n'
        '  s.lines,\n'
        "  CASE WHEN s.report = 'users-1-day' THEN COALESCE(u.reduced_shape_lines, 0) END AS reduced_shape_lines,\n"
        '  s.mistyped_values,\n'
        '  s.unknown_fields\n'
        'FROM org_index_status AS s\n'
        'LEFT JOIN (\n'
        '  SELECT\n'
        '    organization,\n'
        '    day,\n'
        '    SUM(CASE WHEN reduced_shape THEN 1 ELSE 0 END) AS reduced_shape_lines\n'
        '  FROM org_user_daily\n'
        '  GROUP BY\n'
        '    organization,\n'
        '    day\n'
        ') AS u\n'
        "  ON s.report = 'users-1-day' AND u.organization = s.organization AND u.day = s.day",
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
        '  report_shape,\n'
        '  CASE\n'
        '    WHEN loc_suggested_to_add_sum = 0\n'
        '    THEN NULL\n'
        '    ELSE CAST(loc_added_sum AS DOUBLE) / loc_suggested_to_add_sum\n'
        '  END AS loc_added_per_suggested,\n'
        '  loc_added_sum > loc_suggested_to_add_sum AS loc_added_exceeds_suggested\n'
        'FROM org_day_totals',
    ),
    (
        'org_feature_users_weekly',
        'CREATE OR REPLACE VIEW org_feature_users_weekly AS\n'
        'SELECT\n'
        '  organization,\n'
        "  CAST(DATE_TRUNC('WEEK', day) AS DATE) AS week_start,\n"
        '  COUNT(DISTINCT CASE WHEN used_chat THEN user_id END) AS chat_users,\n'
        '  COUNT(DISTINCT CASE WHEN used_agent THEN user_id END) AS agent_users,\n'
        '  COUNT(DISTINCT CASE WHEN used_cli THEN user_id END) AS cli_users,\n'
        '  COUNT(DISTINCT CASE WHEN reduced_shape THEN user_id END) AS unjudged_users,\n'
        '  SUM(CASE WHEN reduced_shape THEN 1 ELSE 0 END) AS unjudged_lines\n'
        'FROM org_user_daily\n'
        'GROUP BY\n'
        '  organization,\n'
        "  CAST(DATE_TRUNC('WEEK', day) AS DATE)",
    ),
    (
        'org_inactive_seats',
        'CREATE OR REPLACE VIEW org_inactive_seats AS\n'
        'WITH holders AS (\n'
        '  SELECT\n'
        '    organization,\n'
        '    day,\n'
        '    user_id,\n'
        '    MAX(user_login) AS user_login,\n'
        '    MAX(plan_type) AS plan_type,\n'
        '    CAST(MIN(created_at) AS DATE) AS assigned_on,\n'
        '    CAST(MAX(last_activity_at) AS DATE) AS github_last_active\n'
        '  FROM org_seat_daily\n'
        '  GROUP BY\n'
        '    organization,\n'
        '    day,\n'
        '    user_id\n'
        '), archived AS (\n'
        '  SELECT\n'
        '    h.organization,\n'
        '    h.day,\n'
        '    h.user_id,\n'
        '    MAX(u.day) AS last_active_day\n'
        '  FROM holders AS h\n'
        '  INNER JOIN org_user_daily AS u\n'
        '    ON u.organization = h.organization AND u.user_id = h.user_id AND u.day <= h.day\n'
        '  GROUP BY\n'
        '    h.organization,\n'
        '    h.day,\n'
        '    h.user_id\n'
        ')\n'
        'SELECT\n'
        '  h.organization,\n'
        '  h.day,\n'
        '  h.user_login,\n'
        '  h.plan_type,\n'
        '  h.assigned_on,\n'
        '  COALESCE(a.last_active_day, h.github_last_active) AS last_active_day,\n'
        "  DATE_DIFF('DAY', COALESCE(a.last_active_day, h.github_last_active), h.day) AS days_inactive,\n"
        '  p.monthly_price_usd\n'
        'FROM holders AS h\n'
        'LEFT JOIN archived AS a\n'
        '  ON a.organization = h.organization AND a.day = h.day AND a.user_id = h.user_id\n'
        'LEFT JOIN org_seat_price AS p\n'
        '  ON p.organization = h.organization AND p.day = h.day AND p.plan_type = h.plan_type\n'
        'WHERE\n'
        '  a.last_active_day IS NULL\n'
        "  OR a.last_active_day < CAST(h.day - INTERVAL '29' DAY AS DATE)",
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
        'org_restatements',
        'CREATE OR REPLACE VIEW org_restatements AS\n'
        'SELECT\n'
        '  organization,\n'
        '  day,\n'
        '  report,\n'
        '  metric,\n'
        '  user_login,\n'
        '  archived_value,\n'
        '  restated_value,\n'
        '  first_seen\n'
        'FROM org_restatement_log',
    ),
    (
        'org_seat_cost_monthly',
        'CREATE OR REPLACE VIEW org_seat_cost_monthly AS\n'
        'WITH last_snapshot AS (\n'
        '  SELECT\n'
        '    organization,\n'
        "    CAST(DATE_TRUNC('MONTH', day) AS DATE) AS month,\n"
        '    MAX(day) AS day\n'
        '  FROM org_seat_daily\n'
        '  GROUP BY\n'
        '    organization,\n'
        "    CAST(DATE_TRUNC('MONTH', day) AS DATE)\n"
        '), holders AS (\n'
        '  SELECT\n'
        '    s.organization,\n'
        '    l.month,\n'
        '    s.day,\n'
        '    s.user_id,\n'
        '    MAX(s.plan_type) AS plan_type\n'
        '  FROM org_seat_daily AS s\n'
        '  INNER JOIN last_snapshot AS l\n'
        '    ON l.organization = s.organization AND l.day = s.day\n'
        '  GROUP BY\n'
        '    s.organization,\n'
        '    l.month,\n'
        '    s.day,\n'
        '    s.user_id\n'
        '), priced AS (\n'
        '  SELECT\n'
        '    h.organization,\n'
        '    h.month,\n'
        '    h.day,\n'
        '    COUNT(*) AS seats,\n'
        '    SUM(p.monthly_price_usd) AS seat_cost_usd\n'
        '  FROM holders AS h\n'
        '  LEFT JOIN org_seat_price AS p\n'
        '    ON p.organization = h.organization AND p.day = h.day AND p.plan_type = h.plan_type\n'
        '  GROUP BY\n'
        '    h.organization,\n'
        '    h.month,\n'
        '    h.day\n'
        '), reported AS (\n'
        '  SELECT DISTINCT\n'
        '    organization,\n'
        "    CAST(DATE_TRUNC('MONTH', day) AS DATE) AS month\n"
        '  FROM org_index_status\n'
        '  WHERE\n'
        "    report = 'users-1-day' AND indexed\n"
        '), active AS (\n'
        '  SELECT\n'
        '    h.organization,\n'
        '    h.month,\n'
        '    COUNT(DISTINCT h.user_id) AS active_users\n'
        '  FROM holders AS h\n'
        '  INNER JOIN org_user_daily AS u\n'
        '    ON u.organization = h.organization\n'
        '    AND u.user_id = h.user_id\n'
        "    AND CAST(DATE_TRUNC('MONTH', u.day) AS DATE) = h.month\n"
        '  GROUP BY\n'
        '    h.organization,\n'
        '    h.month\n'
        '), inactive AS (\n'
        '  SELECT\n'
        '    organization,\n'
        '    day,\n'
        '    COUNT(*) AS inactive_seats\n'
        '  FROM org_inactive_seats\n'
        '  GROUP BY\n'
        '    organization,\n'
        '    day\n'
        ')\n'
        'SELECT\n'
        '  p.organization,\n'
        '  p.month,\n'
        '  p.seats,\n'
        '  CASE WHEN r.month IS NULL THEN NULL ELSE COALESCE(a.active_users, 0) END AS active_users,\n'
        '  COALESCE(i.inactive_seats, 0) AS inactive_seats,\n'
        '  p.seat_cost_usd,\n'
        '  p.seat_cost_usd / NULLIF(CASE WHEN r.month IS NULL THEN NULL ELSE COALESCE(a.active_users, 0) END, 0) AS cost_per_active_user_usd\n'
        'FROM priced AS p\n'
        'LEFT JOIN reported AS r\n'
        '  ON r.organization = p.organization AND r.month = p.month\n'
        'LEFT JOIN active AS a\n'
        '  ON a.organization = p.organization AND a.month = p.month\n'
        'LEFT JOIN inactive AS i\n'
        '  ON i.organization = p.organization AND i.day = p.day',
    ),
    (
        'org_seats_daily',
        'CREATE OR REPLACE VIEW org_seats_daily AS\n'
        'WITH holders AS (\n'
        '  SELECT\n'
        '    organization,\n'
        '    day,\n'
        '    user_id,\n'
        '    MAX(CASE WHEN NOT pending_cancellation_date IS NULL THEN 1 ELSE 0 END) AS pending\n'
        '  FROM org_seat_daily\n'
        '  GROUP BY\n'
        '    organization,\n'
        '    day,\n'
        '    user_id\n'
        '), reported AS (\n'
        '  SELECT DISTINCT\n'
        '    organization,\n'
        '    day\n'
        '  FROM org_index_status\n'
        '  WHERE\n'
        "    report = 'users-1-day' AND indexed\n"
        '), counted AS (\n'
        '  SELECT\n'
        '    h.organization,\n'
        '    h.day,\n'
        '    COUNT(*) AS seats,\n'
        '    COUNT(DISTINCT u.user_id) AS active_holders,\n'
        '    SUM(h.pending) AS pending_cancellation\n'
        '  FROM holders AS h\n'
        '  LEFT JOIN org_user_daily AS u\n'
        '    ON u.organization = h.organization AND u.day = h.day AND u.user_id = h.user_id\n'
        '  GROUP BY\n'
        '    h.organization,\n'
        '    h.day\n'
        ')\n'
        'SELECT\n'
        '  c.organization,\n'
        '  c.day,\n'
        '  c.seats,\n'
        '  CASE WHEN r.day IS NULL THEN NULL ELSE c.active_holders END AS active_users,\n'
        '  CASE\n'
        '    WHEN r.day IS NULL\n'
        '    THEN NULL\n'
        '    ELSE CAST(c.active_holders AS DOUBLE) / c.seats\n'
        '  END AS active_share,\n'
        '  c.pending_cancellation\n'
        'FROM counted AS c\n'
        'LEFT JOIN reported AS r\n'
        '  ON r.organization = c.organization AND r.day = c.day',
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
    'language_names': "/* Generated from src/copilot_archive/core/languages.py by `make tables`: do not edit. */ /* Each language name the reports use (lower case) beside its one canonical name and whether */ /* it is a language at all (`prompt`, `vscode`: not); a name not listed is its own. */ CREATE OR REPLACE VIEW language_names AS SELECT raw_language, language, is_language FROM (VALUES ('bash', 'shellscript', TRUE), ('c#', 'csharp', TRUE), ('c++', 'cpp', TRUE), ('cpp', 'cpp', TRUE), ('cs', 'csharp', TRUE), ('csharp', 'csharp', TRUE), ('docker', 'docker', TRUE), ('dockerfile', 'docker', TRUE), ('go', 'go', TRUE), ('golang', 'go', TRUE), ('hcl', 'terraform', TRUE), ('javascript', 'javascript', TRUE), ('javascriptreact', 'javascriptreact', TRUE), ('js', 'javascript', TRUE), ('jsx', 'javascriptreact', TRUE), ('kotlin', 'kotlin', TRUE), ('kt', 'kotlin', TRUE), ('markdown', 'markdown', TRUE), ('md', 'markdown', TRUE), ('other', 'other', FALSE), ('others', 'others', FALSE), ('plaintext', 'plaintext', FALSE), ('powershell', 'powershell', TRUE), ('prompt', 'prompt', FALSE), ('ps1', 'powershell', TRUE), ('py', 'python', TRUE), ('python', 'python', TRUE), ('python3', 'python', TRUE), ('rb', 'ruby', TRUE), ('rs', 'rust', TRUE), ('ruby', 'ruby', TRUE), ('rust', 'rust', TRUE), ('sh', 'shellscript', TRUE), ('shell', 'shellscript', TRUE), ('shellscript', 'shellscript', TRUE), ('terraform', 'terraform', TRUE), ('tf', 'terraform', TRUE), ('ts', 'typescript', TRUE), ('tsx', 'typescriptreact', TRUE), ('typescript', 'typescript', TRUE), ('typescriptreact', 'typescriptreact', TRUE), ('unknown', 'unknown', FALSE), ('vscode', 'vscode', FALSE), ('yaml', 'yaml', TRUE), ('yml', 'yaml', TRUE)) AS names(raw_language, language, is_language)",
    'acceptance_by_language': '/* Per language, summed over every feature of every user (totals_by_language_feature). */ /* acceptance_rate = acceptances / generations, NULL when there were no generations. */ /* The reports do not normalise language names: `language` is the one canonical name */ /* (language_names, from core/languages.py: `ts` and `typescript` are both `typescript`), */ /* `raw_language` the name as the report gave it (a row per raw name), and `is_language` false for */ /* a name that is not a language (`prompt`, `vscode`): sum by `language`, filter on `is_language`. */ CREATE OR REPLACE VIEW acceptance_by_language AS SELECT enterprise, day, language, code_generation_activity_count, code_acceptance_activity_count, CASE WHEN code_generation_activity_count = 0 THEN NULL ELSE CAST(code_acceptance_activity_count AS DOUBLE) / code_generation_activity_count END AS acceptance_rate, raw_language, is_language FROM (SELECT t.enterprise, t.day, COALESCE(n.language, LOWER(t.language)) AS language, t.language AS raw_language, COALESCE(n.is_language, TRUE) AS is_language, SUM(t.code_generation_activity_count) AS code_generation_activity_count, SUM(t.code_acceptance_activity_count) AS code_acceptance_activity_count FROM user_language_feature_daily AS t LEFT JOIN language_names AS n ON n.raw_language = LOWER(t.language) GROUP BY t.enterprise, t.day, COALESCE(n.language, LOWER(t.language)), t.language, COALESCE(n.is_language, TRUE)) AS totals',
    'acceptance_by_model': '/* Per model, summed over every feature of every user (totals_by_model_feature: it has a row for */ /* each feature a model served, code completion included, so its model totals are complete). */ /* acceptance_rate = acceptances / generations, NULL when there were no generations. */ CREATE OR REPLACE VIEW acceptance_by_model AS SELECT enterprise, day, model, code_generation_activity_count, code_acceptance_activity_count, CASE WHEN code_generation_activity_count = 0 THEN NULL ELSE CAST(code_acceptance_activity_count AS DOUBLE) / code_generation_activity_count END AS acceptance_rate FROM (SELECT enterprise, day, model, SUM(code_generation_activity_count) AS code_generation_activity_count, SUM(code_acceptance_activity_count) AS code_acceptance_activity_count FROM user_model_feature_daily GROUP BY enterprise, day, model) AS totals',
    'active_users_daily': '/* Distinct users present in users-1-day, per enterprise and day. */ CREATE OR REPLACE VIEW active_users_daily AS SELECT enterprise, day, COUNT(DISTINCT user_id) AS active_users FROM user_daily GROUP BY enterprise, day',
    'active_users_monthly': "/* Distinct users present in users-1-day over each calendar month: never a sum of days. */ CREATE OR REPLACE VIEW active_users_monthly AS SELECT enterprise, CAST(DATE_TRUNC('MONTH', day) AS DATE) AS month_start, COUNT(DISTINCT user_id) AS active_users FROM user_daily GROUP BY enterprise, CAST(DATE_TRUNC('MONTH', day) AS DATE)",
    'active_users_weekly': "/* Distinct users present in users-1-day over each ISO week (Monday start): never a sum of days. */ /* The CAST keeps week_start a date on engines whose date_trunc returns a timestamp. */ CREATE OR REPLACE VIEW active_users_weekly AS SELECT enterprise, CAST(DATE_TRUNC('WEEK', day) AS DATE) AS week_start, COUNT(DISTINCT user_id) AS active_users FROM user_daily GROUP BY enterprise, CAST(DATE_TRUNC('WEEK', day) AS DATE)",
    'ai_credits_monthly': "/* AI credits each user consumed per calendar month: users-1-day's `ai_credits_used` summed. A */ /* metrics signal GitHub derives from its billing data, not a bill (billed_usage_monthly is the */ /* bill, where billing usage is archived). NULL for a user whose days report no credits. */ CREATE OR REPLACE VIEW ai_credits_monthly AS SELECT enterprise, CAST(DATE_TRUNC('MONTH', day) AS DATE) AS month, user_login, SUM(ai_credits_used) AS ai_credits FROM user_daily GROUP BY enterprise, CAST(DATE_TRUNC('MONTH', day) AS DATE), user_login",
    'billed_usage_monthly': "/* What GitHub bills per calendar month, product and model: billing_usage_daily's `net_amount` */ /* (gross less discounts, the latest revision of each day) summed. Enterprise level only, as */ /* GitHub exports billing usage; `model` is NULL where the export carries none. */ CREATE OR REPLACE VIEW billed_usage_monthly AS SELECT enterprise, CAST(DATE_TRUNC('MONTH', day) AS DATE) AS month, product, model, SUM(net_amount) AS net_amount FROM billing_usage_daily GROUP BY enterprise, CAST(DATE_TRUNC('MONTH', day) AS DATE), product, model",
    'data_quality_daily': "/* What each indexed report-day looked like, so odd data is seen the day it arrives: */ /*   lines: the report-day's raw lines (its manifest's count); */ /*   reduced_shape_lines: users-1-day lines with every used_* flag null (user_daily's */ /*     reduced_shape), which no feature count can judge; NULL for the other reports; */ /*   mistyped_values: values that did not fit their column (NULL there, kept in `extra`); */ /*   unknown_fields: the names of fields no column types (comma-separated; NULL: none). */ /* Read from index_status, which the indexer writes for every report-day it indexes. */ CREATE OR REPLACE VIEW data_quality_daily AS SELECT s.enterprise, s.day, s.report, s.lines, CASE WHEN s.report = 'users-1-day' THEN COALESCE(u.reduced_shape_lines, 0) END AS reduced_shape_lines, s.mistyped_values, s.unknown_fields FROM index_status AS s LEFT JOIN (SELECT enterprise, day, SUM(CASE WHEN reduced_shape THEN 1 ELSE 0 END) AS reduced_shape_lines FROM user_daily GROUP BY enterprise, day) AS u ON s.report = 'users-1-day' AND u.enterprise = s.enterprise AND u.day = s.day",
    'enterprise_daily': '/* The enterprise-1-day report per enterprise and day, whichever shape the file came in */ /* (a flat day object or a day_totals wrapper: the indexer writes both into enterprise_day_totals). */ /* loc_added_per_suggested = loc_added_sum / loc_suggested_to_add_sum (NULL when nothing was */ /* suggested), the "lines kept" ratio: loc_added_sum counts agent edits, which */ /* loc_suggested_to_add_sum does not, so it can exceed 1; loc_added_exceeds_suggested says so. */ CREATE OR REPLACE VIEW enterprise_daily AS SELECT enterprise, day, daily_active_users, weekly_active_users, monthly_active_users, monthly_active_chat_users, monthly_active_agent_users, daily_active_cli_users, user_initiated_interaction_count, code_generation_activity_count, code_acceptance_activity_count, CASE WHEN code_generation_activity_count = 0 THEN NULL ELSE CAST(code_acceptance_activity_count AS DOUBLE) / code_generation_activity_count END AS acceptance_rate, loc_suggested_to_add_sum, loc_suggested_to_delete_sum, loc_added_sum, loc_deleted_sum, pull_requests_total_created, pull_requests_total_merged, pull_requests_total_reviewed, pull_requests_total_created_by_copilot, pull_requests_total_reviewed_by_copilot, pull_requests_median_minutes_to_merge, report_shape, CASE WHEN loc_suggested_to_add_sum = 0 THEN NULL ELSE CAST(loc_added_sum AS DOUBLE) / loc_suggested_to_add_sum END AS loc_added_per_suggested, loc_added_sum > loc_suggested_to_add_sum AS loc_added_exceeds_suggested FROM enterprise_day_totals',
    'feature_users_weekly': "/* Distinct users per ISO week (Monday start) who used chat, agent mode or the CLI on any day of it */ /* (users-1-day's used_chat, used_agent, used_cli): never a sum of days. */ /* About a quarter of user lines arrive in a reduced shape, every used_* flag null (user_daily's */ /* reduced_shape): such a line cannot be judged by feature, so the counts above are a floor. */ /* unjudged_users: users with at least one such line in the week; unjudged_lines: those lines. */ /* The CAST keeps week_start a date on engines whose date_trunc returns a timestamp. */ CREATE OR REPLACE VIEW feature_users_weekly AS SELECT enterprise, CAST(DATE_TRUNC('WEEK', day) AS DATE) AS week_start, COUNT(DISTINCT CASE WHEN used_chat THEN user_id END) AS chat_users, COUNT(DISTINCT CASE WHEN used_agent THEN user_id END) AS agent_users, COUNT(DISTINCT CASE WHEN used_cli THEN user_id END) AS cli_users, COUNT(DISTINCT CASE WHEN reduced_shape THEN user_id END) AS unjudged_users, SUM(CASE WHEN reduced_shape THEN 1 ELSE 0 END) AS unjudged_lines FROM user_daily GROUP BY enterprise, CAST(DATE_TRUNC('WEEK', day) AS DATE)",
    'inactive_seats': "/* For every snapshot day, each seat holder with no users-1-day row in the 30 days up to that day */ /* (day - 29 .. day). last_active_day is the holder's last day in the archive's users reports, up */ /* to that day; GitHub's last_activity_at only where the archive has none (GitHub clears it after */ /* 90 days, the archive keeps every day). monthly_price_usd is the holder's plan's price as the */ /* SEAT_PRICES setting said when the snapshot was indexed (seat_price): no price is written here. */ CREATE OR REPLACE VIEW inactive_seats AS WITH holders AS (SELECT enterprise, day, user_id, MAX(user_login) AS user_login, MAX(plan_type) AS plan_type, CAST(MIN(created_at) AS DATE) AS assigned_on, CAST(MAX(last_activity_at) AS DATE) AS github_last_active FROM seat_daily GROUP BY enterprise, day, user_id), archived AS (SELECT h.enterprise, h.day, h.user_id, MAX(u.day) AS last_active_day FROM holders AS h INNER JOIN user_daily AS u ON u.enterprise = h.enterprise AND u.user_id = h.user_id AND u.day <= h.day GROUP BY h.enterprise, h.day, h.user_id) SELECT h.enterprise, h.day, h.user_login, h.plan_type, h.assigned_on, COALESCE(a.last_active_day, h.github_last_active) AS last_active_day, DATE_DIFF('DAY', COALESCE(a.last_active_day, h.github_last_active), h.day) AS days_inactive, p.monthly_price_usd FROM holders AS h LEFT JOIN archived AS a ON a.enterprise = h.enterprise AND a.day = h.day AND a.user_id = h.user_id LEFT JOIN seat_price AS p ON p.enterprise = h.enterprise AND p.day = h.day AND p.plan_type = h.plan_type WHERE a.last_active_day IS NULL OR a.last_active_day < CAST(h.day - INTERVAL '29' DAY AS DATE)",
    'repo_pull_requests_daily': "/* Pull requests per repository and day, as repos-1-day reports them (the day is the report's). */ CREATE OR REPLACE VIEW repo_pull_requests_daily AS SELECT enterprise, repo_id, repo_name, day, pull_requests_total_created AS total_created, pull_requests_total_merged AS total_merged, pull_requests_total_reviewed AS total_reviewed, pull_requests_total_created_by_copilot AS total_created_by_copilot, pull_requests_total_reviewed_by_copilot AS total_reviewed_by_copilot, pull_requests_total_merged_created_by_copilot AS total_merged_created_by_copilot, pull_requests_total_merged_reviewed_by_copilot AS total_merged_reviewed_by_copilot, pull_requests_total_suggestions AS total_suggestions, pull_requests_total_applied_suggestions AS total_applied_suggestions, pull_requests_total_copilot_suggestions AS total_copilot_suggestions, pull_requests_total_copilot_applied_suggestions AS total_copilot_applied_suggestions, pull_requests_median_minutes_to_merge AS median_minutes_to_merge, pull_requests_median_minutes_to_merge_copilot_authored AS median_minutes_to_merge_copilot_authored, pull_requests_median_minutes_to_merge_copilot_reviewed AS median_minutes_to_merge_copilot_reviewed FROM repo_daily",
    'report_status': "/* One row per report-day of the window, so analysts and alarms see what is there: */ /*   * the 1-day reports, every day from greatest(2025-10-10, today - 365 days) to yesterday, */ /*     for every enterprise the indexer has seen (a team or repository day GitHub answered */ /*     204 for, no data, stays missing: the archive holds nothing for it); */ /*   * the 28-day reports, for the report-days (end days) that were indexed. */ /* status is the manifest's (ok or empty) where the indexer recorded the report-day, else missing. */ /* The CASTs keep `day` a date on engines whose date arithmetic yields timestamps. */ CREATE OR REPLACE VIEW report_status AS WITH window_days AS (SELECT CAST(d.day AS DATE) AS day FROM UNNEST(GENERATE_SERIES(CAST(CASE WHEN CAST('2025-10-10' AS DATE) IS NULL OR (CURRENT_DATE - INTERVAL '365' DAY) IS NULL THEN NULL ELSE GREATEST(CAST('2025-10-10' AS DATE), CURRENT_DATE - INTERVAL '365' DAY) END AS DATE), CAST(CURRENT_DATE - INTERVAL '1' DAY AS DATE), INTERVAL '1' DAY)) AS d(day)), enterprises AS (SELECT DISTINCT enterprise FROM index_status), one_day_reports AS (SELECT report FROM (VALUES ('enterprise-1-day'), ('users-1-day'), ('user-teams-1-day'), ('repos-1-day')) AS r(report)), expected AS (SELECT r.report, e.enterprise, w.day FROM one_day_reports AS r CROSS JOIN enterprises AS e CROSS JOIN window_days AS w UNION SELECT report, enterprise, day FROM index_status WHERE report IN ('enterprise-28-day', 'users-28-day')) SELECT x.report, x.enterprise, x.day, COALESCE(s.manifest_status, 'missing') AS status, COALESCE(s.files, 0) AS files, COALESCE(s.bytes, 0) AS bytes, COALESCE(s.lines, 0) AS lines, COALESCE(s.indexed, FALSE) AS indexed FROM expected AS x LEFT JOIN index_status AS s ON s.report = x.report AND s.enterprise = x.enterprise AND s.day = x.day",
    'restatements': "/* Values GitHub restated: one row per difference between a day of a 28-day report and the */ /* archived 1-day report of the same day, or between a billing usage day's revision and the one */ /* before it (restatement_log, written by the indexer). `report` is the 1-day report restated (or */ /* billing-usage), `user_login` NULL for a totals line, `first_seen` the end day of the first */ /* 28-day report that showed it (a revision's fetch day). A row stays when later reports agree. */ CREATE OR REPLACE VIEW restatements AS SELECT enterprise, day, report, metric, user_login, archived_value, restated_value, first_seen FROM restatement_log",
    'seat_cost_monthly': "/* Per enterprise and month, from the month's last seat snapshot: seats (distinct holders), */ /* active_users (those holders with a users-1-day row in the month; NULL while no users-1-day */ /* day of the month is indexed), inactive_seats (inactive_seats rows of that snapshot day), */ /* seat_cost_usd (each holder's plan priced by seat_price, the SEAT_PRICES setting) and */ /* cost_per_active_user_usd (seat_cost_usd / active_users). */ CREATE OR REPLACE VIEW seat_cost_monthly AS WITH last_snapshot AS (SELECT enterprise, CAST(DATE_TRUNC('MONTH', day) AS DATE) AS month, MAX(day) AS day FROM seat_daily GROUP BY enterprise, CAST(DATE_TRUNC('MONTH', day) AS DATE)), holders AS (SELECT s.enterprise, l.month, s.day, s.user_id, MAX(s.plan_type) AS plan_type FROM seat_daily AS s INNER JOIN last_snapshot AS l ON l.enterprise = s.enterprise AND l.day = s.day GROUP BY s.enterprise, l.month, s.day, s.user_id), priced AS (SELECT h.enterprise, h.month, h.day, COUNT(*) AS seats, SUM(p.monthly_price_usd) AS seat_cost_usd FROM holders AS h LEFT JOIN seat_price AS p ON p.enterprise = h.enterprise AND p.day = h.day AND p.plan_type = h.plan_type GROUP BY h.enterprise, h.month, h.day), reported AS (SELECT DISTINCT enterprise, CAST(DATE_TRUNC('MONTH', day) AS DATE) AS month FROM index_status WHERE report = 'users-1-day' AND indexed), active AS (SELECT h.enterprise, h.month, COUNT(DISTINCT h.user_id) AS active_users FROM holders AS h INNER JOIN user_daily AS u ON u.enterprise = h.enterprise AND u.user_id = h.user_id AND CAST(DATE_TRUNC('MONTH', u.day) AS DATE) = h.month GROUP BY h.enterprise, h.month), inactive AS (SELECT enterprise, day, COUNT(*) AS inactive_seats FROM inactive_seats GROUP BY enterprise, day) SELECT p.enterprise, p.month, p.seats, CASE WHEN r.month IS NULL THEN NULL ELSE COALESCE(a.active_users, 0) END AS active_users, COALESCE(i.inactive_seats, 0) AS inactive_seats, p.seat_cost_usd, p.seat_cost_usd / NULLIF(CASE WHEN r.month IS NULL THEN NULL ELSE COALESCE(a.active_users, 0) END, 0) AS cost_per_active_user_usd FROM priced AS p LEFT JOIN reported AS r ON r.enterprise = p.enterprise AND r.month = p.month LEFT JOIN active AS a ON a.enterprise = p.enterprise AND a.month = p.month LEFT JOIN inactive AS i ON i.enterprise = p.enterprise AND i.day = p.day",
    'seats_daily': "/* Seat holders per enterprise and snapshot day (seat_daily), and how many of them used Copilot: */ /*   seats: distinct holders (GitHub's total_seats: a user seated through two organizations */ /*     counts once); pending_cancellation: distinct holders whose seat has a cancellation date; */ /*   active_users: holders with a users-1-day row that day, counted as active_users_daily counts */ /*     (distinct user_id); NULL, never 0, while that day's users-1-day is not indexed; */ /*   active_share: active_users / seats. */ CREATE OR REPLACE VIEW seats_daily AS WITH holders AS (SELECT enterprise, day, user_id, MAX(CASE WHEN NOT pending_cancellation_date IS NULL THEN 1 ELSE 0 END) AS pending FROM seat_daily GROUP BY enterprise, day, user_id), reported AS (SELECT DISTINCT enterprise, day FROM index_status WHERE report = 'users-1-day' AND indexed), counted AS (SELECT h.enterprise, h.day, COUNT(*) AS seats, COUNT(DISTINCT u.user_id) AS active_holders, SUM(h.pending) AS pending_cancellation FROM holders AS h LEFT JOIN user_daily AS u ON u.enterprise = h.enterprise AND u.day = h.day AND u.user_id = h.user_id GROUP BY h.enterprise, h.day) SELECT c.enterprise, c.day, c.seats, CASE WHEN r.day IS NULL THEN NULL ELSE c.active_holders END AS active_users, CASE WHEN r.day IS NULL THEN NULL ELSE CAST(c.active_holders AS DOUBLE) / c.seats END AS active_share, c.pending_cancellation FROM counted AS c LEFT JOIN reported AS r ON r.enterprise = c.enterprise AND r.day = c.day",
    'team_acceptance_daily': "/* Code generations and acceptances per team and day, summed over the team's members who have a */ /* users-1-day row that day (joined on user_id and day; a member listed twice counts once). */ /* acceptance_rate = acceptances / generations, NULL when there were no generations. */ CREATE OR REPLACE VIEW team_acceptance_daily AS SELECT enterprise, team_slug, team_id, day, code_generation_activity_count, code_acceptance_activity_count, CASE WHEN code_generation_activity_count = 0 THEN NULL ELSE CAST(code_acceptance_activity_count AS DOUBLE) / code_generation_activity_count END AS acceptance_rate FROM (SELECT m.enterprise, m.team_slug, m.team_id, m.day, COALESCE(SUM(u.code_generation_activity_count), 0) AS code_generation_activity_count, COALESCE(SUM(u.code_acceptance_activity_count), 0) AS code_acceptance_activity_count FROM (SELECT DISTINCT enterprise, day, team_id, team_slug, user_id FROM user_team_daily) AS m LEFT JOIN user_daily AS u ON u.enterprise = m.enterprise AND u.day = m.day AND u.user_id = m.user_id GROUP BY m.enterprise, m.team_slug, m.team_id, m.day) AS totals",
    'team_active_users_daily': '/* Members of each team (user-teams-1-day) who have a users-1-day row that day: distinct users, */ /* joined on user_id and day. A team listed that day with no active member has 0. GitHub leaves */ /* teams with fewer than 5 seated users out of user-teams-1-day, so they have no row here. */ /* Read it beside report_status: a day whose users-1-day is not archived yet shows 0 here. */ CREATE OR REPLACE VIEW team_active_users_daily AS SELECT m.enterprise, m.team_slug, m.team_id, m.day, COUNT(DISTINCT u.user_id) AS active_users FROM user_team_daily AS m LEFT JOIN user_daily AS u ON u.enterprise = m.enterprise AND u.day = m.day AND u.user_id = m.user_id GROUP BY m.enterprise, m.team_slug, m.team_id, m.day',
    'team_active_users_monthly': "/* Distinct users active on a day they were in the team, over each calendar month: never a sum */ /* of days. A team renamed within the month keeps the slug of its latest day. */ CREATE OR REPLACE VIEW team_active_users_monthly AS SELECT m.enterprise, ARG_MAX(m.team_slug, m.day) AS team_slug, m.team_id, CAST(DATE_TRUNC('MONTH', m.day) AS DATE) AS month_start, COUNT(DISTINCT u.user_id) AS active_users FROM user_team_daily AS m LEFT JOIN user_daily AS u ON u.enterprise = m.enterprise AND u.day = m.day AND u.user_id = m.user_id GROUP BY m.enterprise, m.team_id, CAST(DATE_TRUNC('MONTH', m.day) AS DATE)",
    'team_active_users_weekly': "/* Distinct users active on a day they were in the team, over each ISO week (Monday start): */ /* never a sum of days. A team renamed within the week keeps the slug of its latest day. */ /* The CAST keeps week_start a date on engines whose date_trunc returns a timestamp. */ CREATE OR REPLACE VIEW team_active_users_weekly AS SELECT m.enterprise, ARG_MAX(m.team_slug, m.day) AS team_slug, m.team_id, CAST(DATE_TRUNC('WEEK', m.day) AS DATE) AS week_start, COUNT(DISTINCT u.user_id) AS active_users FROM user_team_daily AS m LEFT JOIN user_daily AS u ON u.enterprise = m.enterprise AND u.day = m.day AND u.user_id = m.user_id GROUP BY m.enterprise, m.team_id, CAST(DATE_TRUNC('WEEK', m.day) AS DATE)",
    'team_ai_credits_monthly': "/* AI credits of each team per calendar month: users-1-day's `ai_credits_used` of its members on */ /* the days they were in the team (user-teams-1-day), so a user in two teams counts in both. A */ /* metrics signal, not a bill. NULL for a team none of whose members reported credits that month; */ /* a team renamed within the month keeps the slug of its latest day. */ CREATE OR REPLACE VIEW team_ai_credits_monthly AS SELECT m.enterprise, CAST(DATE_TRUNC('MONTH', m.day) AS DATE) AS month, ARG_MAX(m.team_slug, m.day) AS team_slug, m.team_id, SUM(u.ai_credits_used) AS ai_credits FROM user_team_daily AS m LEFT JOIN user_daily AS u ON u.enterprise = m.enterprise AND u.day = m.day AND u.user_id = m.user_id GROUP BY m.enterprise, CAST(DATE_TRUNC('MONTH', m.day) AS DATE), m.team_id",
    'org_acceptance_by_feature': 'CREATE OR REPLACE VIEW org_acceptance_by_feature AS SELECT organization, day, feature, code_generation_activity_count, code_acceptance_activity_count, CASE WHEN code_generation_activity_count = 0 THEN NULL ELSE CAST(code_acceptance_activity_count AS DOUBLE) / code_generation_activity_count END AS acceptance_rate FROM (SELECT organization, day, feature, SUM(code_generation_activity_count) AS code_generation_activity_count, SUM(code_acceptance_activity_count) AS code_acceptance_activity_count FROM org_user_feature_daily GROUP BY organization, day, feature) AS totals',
    'org_acceptance_by_ide': 'CREATE OR REPLACE VIEW org_acceptance_by_ide AS SELECT organization, day, ide, code_generation_activity_count, code_acceptance_activity_count, CASE WHEN code_generation_activity_count = 0 THEN NULL ELSE CAST(code_acceptance_activity_count AS DOUBLE) / code_generation_activity_count END AS acceptance_rate FROM (SELECT organization, day, ide, SUM(code_generation_activity_count) AS code_generation_activity_count, SUM(code_acceptance_activity_count) AS code_acceptance_activity_count FROM org_user_ide_daily GROUP BY organization, day, ide) AS totals',
    'org_language_names': "CREATE OR REPLACE VIEW org_language_names AS SELECT raw_language, language, is_language FROM (VALUES ('bash', 'shellscript', TRUE), ('c#', 'csharp', TRUE), ('c++', 'cpp', TRUE), ('cpp', 'cpp', TRUE), ('cs', 'csharp', TRUE), ('csharp', 'csharp', TRUE), ('docker', 'docker', TRUE), ('dockerfile', 'docker', TRUE), ('go', 'go', TRUE), ('golang', 'go', TRUE), ('hcl', 'terraform', TRUE), ('javascript', 'javascript', TRUE), ('javascriptreact', 'javascriptreact', TRUE), ('js', 'javascript', TRUE), ('jsx', 'javascriptreact', TRUE), ('kotlin', 'kotlin', TRUE), ('kt', 'kotlin', TRUE), ('markdown', 'markdown', TRUE), ('md', 'markdown', TRUE), ('other', 'other', FALSE), ('others', 'others', FALSE), ('plaintext', 'plaintext', FALSE), ('powershell', 'powershell', TRUE), ('prompt', 'prompt', FALSE), ('ps1', 'powershell', TRUE), ('py', 'python', TRUE), ('python', 'python', TRUE), ('python3', 'python', TRUE), ('rb', 'ruby', TRUE), ('rs', 'rust', TRUE), ('ruby', 'ruby', TRUE), ('rust', 'rust', TRUE), ('sh', 'shellscript', TRUE), ('shell', 'shellscript', TRUE), ('shellscript', 'shellscript', TRUE), ('terraform', 'terraform', TRUE), ('tf', 'terraform', TRUE), ('ts', 'typescript', TRUE), ('tsx', 'typescriptreact', TRUE), ('typescript', 'typescript', TRUE), ('typescriptreact', 'typescriptreact', TRUE), ('unknown', 'unknown', FALSE), ('vscode', 'vscode', FALSE), ('yaml', 'yaml', TRUE), ('yml', 'yaml', TRUE)) AS names(raw_language, language, is_language)",
    'org_acceptance_by_language': 'CREATE OR REPLACE VIEW org_acceptance_by_language AS SELECT organization, day, language, code_generation_activity_count, code_acceptance_activity_count, CASE WHEN code_generation_activity_count = 0 THEN NULL ELSE CAST(code_acceptance_activity_count AS DOUBLE) / code_generation_activity_count END AS acceptance_rate, raw_language, is_language FROM (SELECT t.organization, t.day, COALESCE(n.language, LOWER(t.language)) AS language, t.language AS raw_language, COALESCE(n.is_language, TRUE) AS is_language, SUM(t.code_generation_activity_count) AS code_generation_activity_count, SUM(t.code_acceptance_activity_count) AS code_acceptance_activity_count FROM org_user_language_feature_daily AS t LEFT JOIN org_language_names AS n ON n.raw_language = LOWER(t.language) GROUP BY t.organization, t.day, COALESCE(n.language, LOWER(t.language)), t.language, COALESCE(n.is_language, TRUE)) AS totals',
    'org_acceptance_by_model': 'CREATE OR REPLACE VIEW org_acceptance_by_model AS SELECT organization, day, model, code_generation_activity_count, code_acceptance_activity_count, CASE WHEN code_generation_activity_count = 0 THEN NULL ELSE CAST(code_acceptance_activity_count AS DOUBLE) / code_generation_activity_count END AS acceptance_rate FROM (SELECT organization, day, model, SUM(code_generation_activity_count) AS code_generation_activity_count, SUM(code_acceptance_activity_count) AS code_acceptance_activity_count FROM org_user_model_feature_daily GROUP BY organization, day, model) AS totals',
    'org_active_users_daily': 'CREATE OR REPLACE VIEW org_active_users_daily AS SELECT organization, day, COUNT(DISTINCT user_id) AS active_users FROM org_user_daily GROUP BY organization, day',
    'org_active_users_monthly': "CREATE OR REPLACE VIEW org_active_users_monthly AS SELECT organization, CAST(DATE_TRUNC('MONTH', day) AS DATE) AS month_start, COUNT(DISTINCT user_id) AS active_users FROM org_user_daily GROUP BY organization, CAST(DATE_TRUNC('MONTH', day) AS DATE)",
    'org_active_users_weekly': "CREATE OR REPLACE VIEW org_active_users_weekly AS SELECT organization, CAST(DATE_TRUNC('WEEK', day) AS DATE) AS week_start, COUNT(DISTINCT user_id) AS active_users FROM org_user_daily GROUP BY organization, CAST(DATE_TRUNC('WEEK', day) AS DATE)",
    'org_ai_credits_monthly': "CREATE OR REPLACE VIEW org_ai_credits_monthly AS SELECT organization, CAST(DATE_TRUNC('MONTH', day) AS DATE) AS month, user_login, SUM(ai_credits_used) AS ai_credits FROM org_user_daily GROUP BY organization, CAST(DATE_TRUNC('MONTH', day) AS DATE), user_login",
    'org_data_quality_daily': "CREATE OR REPLACE VIEW org_data_quality_daily AS SELECT s.organization, s.day, s.report, s.lines, CASE WHEN s.report = 'users-1-day' THEN COALESCE(u.reduced_shape_lines, 0) END AS reduced_shape_lines, s.mistyped_values, s.unknown_fields FROM org_index_status AS s LEFT JOIN (SELECT organization, day, SUM(CASE WHEN reduced_shape THEN 1 ELSE 0 END) AS reduced_shape_lines FROM org_user_daily GROUP BY organization, day) AS u ON s.report = 'users-1-day' AND u.organization = s.organization AND u.day = s.day",
    'org_enterprise_daily': 'CREATE OR REPLACE VIEW org_enterprise_daily AS SELECT organization, day, daily_active_users, weekly_active_users, monthly_active_users, monthly_active_chat_users, monthly_active_agent_users, daily_active_cli_users, user_initiated_interaction_count, code_generation_activity_count, code_acceptance_activity_count, CASE WHEN code_generation_activity_count = 0 THEN NULL ELSE CAST(code_acceptance_activity_count AS DOUBLE) / code_generation_activity_count END AS acceptance_rate, loc_suggested_to_add_sum, loc_suggested_to_delete_sum, loc_added_sum, loc_deleted_sum, pull_requests_total_created, pull_requests_total_merged, pull_requests_total_reviewed, pull_requests_total_created_by_copilot, pull_requests_total_reviewed_by_copilot, pull_requests_median_minutes_to_merge, report_shape, CASE WHEN loc_suggested_to_add_sum = 0 THEN NULL ELSE CAST(loc_added_sum AS DOUBLE) / loc_suggested_to_add_sum END AS loc_added_per_suggested, loc_added_sum > loc_suggested_to_add_sum AS loc_added_exceeds_suggested FROM org_day_totals',
    'org_feature_users_weekly': "CREATE OR REPLACE VIEW org_feature_users_weekly AS SELECT organization, CAST(DATE_TRUNC('WEEK', day) AS DATE) AS week_start, COUNT(DISTINCT CASE WHEN used_chat THEN user_id END) AS chat_users, COUNT(DISTINCT CASE WHEN used_agent THEN user_id END) AS agent_users, COUNT(DISTINCT CASE WHEN used_cli THEN user_id END) AS cli_users, COUNT(DISTINCT CASE WHEN reduced_shape THEN user_id END) AS unjudged_users, SUM(CASE WHEN reduced_shape THEN 1 ELSE 0 END) AS unjudged_lines FROM org_user_daily GROUP BY organization, CAST(DATE_TRUNC('WEEK', day) AS DATE)",
    'org_inactive_seats': "CREATE OR REPLACE VIEW org_inactive_seats AS WITH holders AS (SELECT organization, day, user_id, MAX(user_login) AS user_login, MAX(plan_type) AS plan_type, CAST(MIN(created_at) AS DATE) AS assigned_on, CAST(MAX(last_activity_at) AS DATE) AS github_last_active FROM org_seat_daily GROUP BY organization, day, user_id), archived AS (SELECT h.organization, h.day, h.user_id, MAX(u.day) AS last_active_day FROM holders AS h INNER JOIN org_user_daily AS u ON u.organization = h.organization AND u.user_id = h.user_id AND u.day <= h.day GROUP BY h.organization, h.day, h.user_id) SELECT h.organization, h.day, h.user_login, h.plan_type, h.assigned_on, COALESCE(a.last_active_day, h.github_last_active) AS last_active_day, DATE_DIFF('DAY', COALESCE(a.last_active_day, h.github_last_active), h.day) AS days_inactive, p.monthly_price_usd FROM holders AS h LEFT JOIN archived AS a ON a.organization = h.organization AND a.day = h.day AND a.user_id = h.user_id LEFT JOIN org_seat_price AS p ON p.organization = h.organization AND p.day = h.day AND p.plan_type = h.plan_type WHERE a.last_active_day IS NULL OR a.last_active_day < CAST(h.day - INTERVAL '29' DAY AS DATE)",
    'org_repo_pull_requests_daily': 'CREATE OR REPLACE VIEW org_repo_pull_requests_daily AS SELECT organization, repo_id, repo_name, day, pull_requests_total_created AS total_created, pull_requests_total_merged AS total_merged, pull_requests_total_reviewed AS total_reviewed, pull_requests_total_created_by_copilot AS total_created_by_copilot, pull_requests_total_reviewed_by_copilot AS total_reviewed_by_copilot, pull_requests_total_merged_created_by_copilot AS total_merged_created_by_copilot, pull_requests_total_merged_reviewed_by_copilot AS total_merged_reviewed_by_copilot, pull_requests_total_suggestions AS total_suggestions, pull_requests_total_applied_suggestions AS total_applied_suggestions, pull_requests_total_copilot_suggestions AS total_copilot_suggestions, pull_requests_total_copilot_applied_suggestions AS total_copilot_applied_suggestions, pull_requests_median_minutes_to_merge AS median_minutes_to_merge, pull_requests_median_minutes_to_merge_copilot_authored AS median_minutes_to_merge_copilot_authored, pull_requests_median_minutes_to_merge_copilot_reviewed AS median_minutes_to_merge_copilot_reviewed FROM org_repo_daily',
    'org_report_status': "CREATE OR REPLACE VIEW org_report_status AS WITH window_days AS (SELECT CAST(d.day AS DATE) AS day FROM UNNEST(GENERATE_SERIES(CAST(CASE WHEN CAST('2025-10-10' AS DATE) IS NULL OR (CURRENT_DATE - INTERVAL '365' DAY) IS NULL THEN NULL ELSE GREATEST(CAST('2025-10-10' AS DATE), CURRENT_DATE - INTERVAL '365' DAY) END AS DATE), CAST(CURRENT_DATE - INTERVAL '1' DAY AS DATE), INTERVAL '1' DAY)) AS d(day)), enterprises AS (SELECT DISTINCT organization FROM org_index_status), one_day_reports AS (SELECT report FROM (VALUES ('organization-1-day'), ('users-1-day'), ('user-teams-1-day'), ('repos-1-day')) AS r(report)), expected AS (SELECT r.report, e.organization, w.day FROM one_day_reports AS r CROSS JOIN enterprises AS e CROSS JOIN window_days AS w UNION SELECT report, organization, day FROM org_index_status WHERE report IN ('organization-28-day', 'users-28-day')) SELECT x.report, x.organization, x.day, COALESCE(s.manifest_status, 'missing') AS status, COALESCE(s.files, 0) AS files, COALESCE(s.bytes, 0) AS bytes, COALESCE(s.lines, 0) AS lines, COALESCE(s.indexed, FALSE) AS indexed FROM expected AS x LEFT JOIN org_index_status AS s ON s.report = x.report AND s.organization = x.organization AND s.day = x.day",
    'org_restatements': 'CREATE OR REPLACE VIEW org_restatements AS SELECT organization, day, report, metric, user_login, archived_value, restated_value, first_seen FROM org_restatement_log',
    'org_seat_cost_monthly': "CREATE OR REPLACE VIEW org_seat_cost_monthly AS WITH last_snapshot AS (SELECT organization, CAST(DATE_TRUNC('MONTH', day) AS DATE) AS month, MAX(day) AS day FROM org_seat_daily GROUP BY organization, CAST(DATE_TRUNC('MONTH', day) AS DATE)), holders AS (SELECT s.organization, l.month, s.day, s.user_id, MAX(s.plan_type) AS plan_type FROM org_seat_daily AS s INNER JOIN last_snapshot AS l ON l.organization = s.organization AND l.day = s.day GROUP BY s.organization, l.month, s.day, s.user_id), priced AS (SELECT h.organization, h.month, h.day, COUNT(*) AS seats, SUM(p.monthly_price_usd) AS seat_cost_usd FROM holders AS h LEFT JOIN org_seat_price AS p ON p.organization = h.organization AND p.day = h.day AND p.plan_type = h.plan_type GROUP BY h.organization, h.month, h.day), reported AS (SELECT DISTINCT organization, CAST(DATE_TRUNC('MONTH', day) AS DATE) AS month FROM org_index_status WHERE report = 'users-1-day' AND indexed), active AS (SELECT h.organization, h.month, COUNT(DISTINCT h.user_id) AS active_users FROM holders AS h INNER JOIN org_user_daily AS u ON u.organization = h.organization AND u.user_id = h.user_id AND CAST(DATE_TRUNC('MONTH', u.day) AS DATE) = h.month GROUP BY h.organization, h.month), inactive AS (SELECT organization, day, COUNT(*) AS inactive_seats FROM org_inactive_seats GROUP BY organization, day) SELECT p.organization, p.month, p.seats, CASE WHEN r.month IS NULL THEN NULL ELSE COALESCE(a.active_users, 0) END AS active_users, COALESCE(i.inactive_seats, 0) AS inactive_seats, p.seat_cost_usd, p.seat_cost_usd / NULLIF(CASE WHEN r.month IS NULL THEN NULL ELSE COALESCE(a.active_users, 0) END, 0) AS cost_per_active_user_usd FROM priced AS p LEFT JOIN reported AS r ON r.organization = p.organization AND r.month = p.month LEFT JOIN active AS a ON a.organization = p.organization AND a.month = p.month LEFT JOIN inactive AS i ON i.organization = p.organization AND i.day = p.day",
    'org_seats_daily': "CREATE OR REPLACE VIEW org_seats_daily AS WITH holders AS (SELECT organization, day, user_id, MAX(CASE WHEN NOT pending_cancellation_date IS NULL THEN 1 ELSE 0 END) AS pending FROM org_seat_daily GROUP BY organization, day, user_id), reported AS (SELECT DISTINCT organization, day FROM org_index_status WHERE report = 'users-1-day' AND indexed), counted AS (SELECT h.organization, h.day, COUNT(*) AS seats, COUNT(DISTINCT u.user_id) AS active_holders, SUM(h.pending) AS pending_cancellation FROM holders AS h LEFT JOIN org_user_daily AS u ON u.organization = h.organization AND u.day = h.day AND u.user_id = h.user_id GROUP BY h.organization, h.day) SELECT c.organization, c.day, c.seats, CASE WHEN r.day IS NULL THEN NULL ELSE c.active_holders END AS active_users, CASE WHEN r.day IS NULL THEN NULL ELSE CAST(c.active_holders AS DOUBLE) / c.seats END AS active_share, c.pending_cancellation FROM counted AS c LEFT JOIN reported AS r ON r.organization = c.organization AND r.day = c.day",
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
    'language_names': (),
    'acceptance_by_language': ('language_names', 'user_language_feature_daily'),
    'acceptance_by_model': ('user_model_feature_daily',),
    'active_users_daily': ('user_daily',),
    'active_users_monthly': ('user_daily',),
    'active_users_weekly': ('user_daily',),
    'ai_credits_monthly': ('user_daily',),
    'billed_usage_monthly': ('billing_usage_daily',),
    'data_quality_daily': ('index_status', 'user_daily'),
    'enterprise_daily': ('enterprise_day_totals',),
    'feature_users_weekly': ('user_daily',),
    'inactive_seats': ('seat_daily', 'seat_price', 'user_daily'),
    'repo_pull_requests_daily': ('repo_daily',),
    'report_status': ('index_status',),
    'restatements': ('restatement_log',),
    'seat_cost_monthly': ('inactive_seats', 'index_status', 'seat_daily', 'seat_price', 'user_daily'),
    'seats_daily': ('index_status', 'seat_daily', 'user_daily'),
    'team_acceptance_daily': ('user_daily', 'user_team_daily'),
    'team_active_users_daily': ('user_daily', 'user_team_daily'),
    'team_active_users_monthly': ('user_daily', 'user_team_daily'),
    'team_active_users_weekly': ('user_daily', 'user_team_daily'),
    'team_ai_credits_monthly': ('user_daily', 'user_team_daily'),
    'org_acceptance_by_feature': ('org_user_feature_daily',),
    'org_acceptance_by_ide': ('org_user_ide_daily',),
    'org_language_names': (),
    'org_acceptance_by_language': ('org_language_names', 'org_user_language_feature_daily'),
    'org_acceptance_by_model': ('org_user_model_feature_daily',),
    'org_active_users_daily': ('org_user_daily',),
    'org_active_users_monthly': ('org_user_daily',),
    'org_active_users_weekly': ('org_user_daily',),
    'org_ai_credits_monthly': ('org_user_daily',),
    'org_data_quality_daily': ('org_index_status', 'org_user_daily'),
    'org_enterprise_daily': ('org_day_totals',),
    'org_feature_users_weekly': ('org_user_daily',),
    'org_inactive_seats': ('org_seat_daily', 'org_seat_price', 'org_user_daily'),
    'org_repo_pull_requests_daily': ('org_repo_daily',),
    'org_report_status': ('org_index_status',),
    'org_restatements': ('org_restatement_log',),
    'org_seat_cost_monthly': ('org_inactive_seats', 'org_index_status', 'org_seat_daily', 'org_seat_price', 'org_user_daily'),
    'org_seats_daily': ('org_index_status', 'org_seat_daily', 'org_user_daily'),
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
