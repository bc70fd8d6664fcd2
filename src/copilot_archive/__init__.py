"""Archive GitHub Copilot usage-metrics reports, byte for byte, into S3 or a folder."""

__version__ = "0.1.0"
