"""Indexing: archived report-days -> curated Parquet tables, catalog partitions, status."""
