-- What GitHub bills per calendar month, product and model: billing_usage_daily's `net_amount`
-- (gross less discounts, the latest revision of each day) summed. Enterprise level only, as
-- GitHub exports billing usage; `model` is NULL where the export carries none.
CREATE OR REPLACE VIEW billed_usage_monthly AS
SELECT
  enterprise,
  CAST(date_trunc('month', day) AS date) AS month,
  product,
  model,
  sum(net_amount) AS net_amount
FROM billing_usage_daily
GROUP BY enterprise, CAST(date_trunc('month', day) AS date), product, model
