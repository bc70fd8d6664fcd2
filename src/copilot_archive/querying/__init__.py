"""Querying: the shipped Athena SQL, local DuckDB queries and the archive's status."""
