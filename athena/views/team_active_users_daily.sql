-- Members of each team (user-teams-1-day) who have a users-1-day row that day: distinct users,
-- joined on user_id and day. A team listed that day with no active member has 0. GitHub leaves
-- teams with fewer than 5 seated users out of user-teams-1-day, so they have no row here.
-- Read it beside report_status: a day whose users-1-day is not archived yet shows 0 here.
CREATE OR REPLACE VIEW team_active_users_daily AS
SELECT
  m.enterprise,
  m.team_slug,
  m.team_id,
  m.day,
  count(DISTINCT u.user_id) AS active_users
FROM user_team_daily AS m
LEFT JOIN user_daily AS u
  ON u.enterprise = m.enterprise AND u.day = m.day AND u.user_id = m.user_id
GROUP BY m.enterprise, m.team_slug, m.team_id, m.day
