"""Names of the environment variables both functions read: where the archive is.

Apart from config.py (the archiver's settings) so that the indexer, which reads only these,
does not load the archiver's settings and URL checks on its cold start."""

ARCHIVE_BUCKET = "ARCHIVE_BUCKET"
ARCHIVE_PREFIX = "ARCHIVE_PREFIX"
