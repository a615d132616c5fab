"""The small error hierarchy every front door maps to user-facing messages (and HTTP codes)."""


class AssistantError(Exception):
    """Base class: the message is safe to show to a shopper or a store operator."""

    status_code = 500


class InvalidInput(AssistantError):
    """The request broke a named limit or was malformed."""

    status_code = 400

    def __init__(self, message: str, limit: str | None = None):
        super().__init__(message)
        self.limit = limit


class CatalogError(AssistantError):
    """A catalog or document file could not be read; the message names the file and field."""

    status_code = 422


class UnknownBackend(AssistantError):
    status_code = 400


class ModelUnavailable(AssistantError):
    """A generative model could not be loaded or reached; the message names the setting to change."""

    status_code = 503


class NotFound(AssistantError):
    status_code = 404


class StoreUnreachable(AssistantError):
    """A shared store (a Chroma server, a database) did not answer; the message names the setting."""

    status_code = 503
