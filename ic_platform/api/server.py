"""uvicorn's HTTP protocol for `ic-platform serve`, with a deadline for each request to arrive.

uvicorn closes a keep-alive connection idle after a response, but never one that has not sent a
whole request: connections opened and left silent, or a request head sent in part, each hold a
file descriptor until the worker runs out of them and stops accepting (`/health` included).
"""

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from ic_platform import settings


class RequestDeadlineProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol that also closes a connection that has not sent a whole
    request head within `$IC_API_REQUEST_TIMEOUT_S` of opening or of its last response."""

    _deadline = None
    _timeout = 10.0

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        self._timeout = settings.current().api_request_timeout_s  # read once a connection, not per request
        self._arm_deadline()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._arm_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
        super().connection_lost(exc)

    def _arm_deadline(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
        if not self.transport.is_closing():
            self._deadline = self.loop.call_later(self._timeout, self._close_if_waiting)

    def _close_if_waiting(self) -> None:
        """Close the connection unless a request is being answered."""
        waiting = self.cycle is None or self.cycle.response_complete
        if waiting and not self.transport.is_closing():
            self.transport.close()
