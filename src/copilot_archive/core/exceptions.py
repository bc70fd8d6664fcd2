"""Every error the archive raises on purpose; provider errors are translated into these."""


class ArchiveError(Exception):
    """Base of every error this package raises on purpose."""


class ConfigError(ArchiveError):
    """The environment or the command line configures the archive wrongly."""


class NotConfigured(ConfigError):
    """The stack is deployed, but nobody has put the GitHub token in its secret yet."""


class InvalidRequest(ArchiveError):
    """An event or a command asks for something that cannot be archived."""


class NotReady(ArchiveError):
    """GitHub has not generated this report-day yet; ask again on a later run."""


class NotFound(NotReady):
    """GitHub answered 404: a day not generated yet, or an enterprise slug it does not know."""


class PermissionDenied(ArchiveError):
    """GitHub refused the token for this enterprise's reports."""


class CredentialError(PermissionDenied):
    """A scope has no credential GitHub accepts: none configured for it, or its app refused."""


class InstallationsRefused(CredentialError):
    """An app's installations list links outside the API or never ends: its JWT goes no further."""


class RateLimited(ArchiveError):
    """GitHub's rate limit lasts longer than the time this run has left."""


class GitHubError(ArchiveError):
    """The report API answered something unusable, after retries."""


class LinkRejected(ArchiveError):
    """A download host refused a signed link (expired or invalid)."""


class UnsafeLink(ArchiveError):
    """A download link or redirect points outside the allowed hosts or schemes."""


class DownloadError(ArchiveError):
    """A report file could not be downloaded whole, after retries."""


class ReportTooLarge(DownloadError):
    """A report file decodes to more than MAX_REPORT_BYTES (a gzip bomb, or a limit set too low)."""


class OutOfTime(ArchiveError):
    """The run's time ran out before this report-day was archived; the next run goes on."""


class StorageError(ArchiveError):
    """Writing to or reading from the archive failed."""


class WriteConflict(StorageError):
    """A conditional write was refused: the object is not the one the writer read."""


class AlreadyExists(WriteConflict):
    """A create-only write found an object already there (another run committed it first)."""


class Unchanged(AlreadyExists):
    """A re-fetch found the bytes the archive holds already: nothing to write."""


class ManifestError(ArchiveError):
    """A manifest is missing, unreadable or disagrees with the files it lists."""


class CurationError(ArchiveError):
    """A raw report line cannot be curated (not JSON, or not a JSON object)."""


class CatalogError(ArchiveError):
    """Registering partitions in the data catalog failed."""


class IndexingFailed(ArchiveError):
    """A report-day could not be indexed for a reason that may pass; raised so the event is retried."""


class QueryError(ArchiveError):
    """A query or a shipped view cannot be parsed, translated or run."""


class NoData(QueryError):
    """The archive holds nothing for what was asked: no archive at the path, or no scope or day asked."""


class QueueError(ArchiveError):
    """Work could not be put on the archive queue, after retries."""


class WorkFailed(ArchiveError):
    """A queued message's run failed some report-days; SQS delivers the message again."""
