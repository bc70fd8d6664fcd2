"""What a seat costs a month, by GitHub's plan_type (the SEAT_PRICES setting): the indexer writes
them beside each seat snapshot and the views read them, so no price is written in SQL.

Apart from config.py (the archiver's settings) so that the indexer's cold start loads neither."""

from __future__ import annotations

from .exceptions import ConfigError

SEAT_PRICES = "SEAT_PRICES"
# GitHub's list prices, "About billing for GitHub Copilot in your enterprise"
# (https://docs.github.com/en/enterprise-cloud@latest/copilot/concepts/copilot-billing/about-billing-for-github-copilot-in-your-enterprise):
# "Copilot Business at 19 USD per user per month", "Copilot Enterprise at 39 USD per user per month".
DEFAULT_SEAT_PRICES: tuple[tuple[str, float], ...] = (("business", 19.0), ("enterprise", 39.0))


def parse_seat_prices(text: str) -> tuple[tuple[str, float], ...]:
    """`business=19,enterprise=39` (USD per seat and month, by GitHub's plan_type); plans not
    named keep their list price."""
    prices = dict(DEFAULT_SEAT_PRICES)
    for part in (p.strip() for p in text.split(",") if p.strip()):
        plan, _, price = part.partition("=")
        try:
            value = float(price)
        except ValueError:
            value = -1.0
        if not plan.strip() or not 0 <= value < 1e6:
            raise ConfigError(f"{SEAT_PRICES}: {part!r} is not plan=price (USD a month, e.g. business=19)")
        prices[plan.strip().lower()] = value
    return tuple(sorted(prices.items()))
