# Copyright (c) cloudlb.azure contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The first poll of a long-running operation waits the ``Retry-After`` of the write that
started it: one pipeline policy for every SDK client.

azure-core's pollers ask about an operation at once, then after each poll answer's
``Retry-After`` (azure/core/polling/base_polling.py, ``LROBasePolling._poll``, azure-core 1.41):
the write's own ``Retry-After`` is never read. Azure's providers answer a write with a short
one (Microsoft.Network 3 s, 1 s for a new public IP; Compute 10 s) and a poll of a running
operation with a longer one (Network 10 s, a VM create 50 s). Asking at once so costs a
request and, when the operation ends within the write's ``Retry-After``, as most network
operations do, hides its end behind the poll answer's longer wait: a 2 s public IP is seen done
at 10 s. Held until the write's ``Retry-After``, the first poll usually finds it done.

The policy remembers, for a write answered with ``Azure-AsyncOperation`` or ``Location`` and a
``Retry-After``, when those URLs are worth asking about, and holds the first GET of one of
them until then. A poller that follows ``Retry-After`` from there on is azure-core's own.

Private to the collection: nothing outside cloudlb.azure may import it.
"""

from __future__ import annotations

import threading
import time
from urllib.parse import urlsplit

try:
    from azure.core.pipeline.policies import HTTPPolicy
except ImportError:  # AzureModule fails on the missing library before any client is built
    HTTPPolicy = object

STATUS_HEADERS = ("Azure-AsyncOperation", "Location")


def retry_after_seconds(value):
    """A ``Retry-After`` of seconds as a number (None when absent or a date: ARM sends seconds)."""
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return None
    return seconds if seconds >= 0 else None


class FirstPollPolicy(HTTPPolicy):
    """Holds an operation's first status GET until its write's ``Retry-After`` has passed."""

    def __init__(self, clock=time.monotonic, sleep=time.sleep):
        super().__init__()
        self._clock, self._sleep = clock, sleep
        self._due = {}   # status URL path -> clock time it is worth asking
        self._lock = threading.Lock()   # pollers run in threads of their own

    def send(self, request):
        http = request.http_request
        if http.method == "GET":
            with self._lock:
                due = self._due.pop(_key(http.url), None)
            if due is not None and due > self._clock():
                self._sleep(due - self._clock())
        response = self.next.send(request)
        if http.method != "GET":
            self._remember(response.http_response.headers)
        return response

    def _remember(self, headers):
        seconds = retry_after_seconds(headers.get("Retry-After"))
        urls = [headers.get(name) for name in STATUS_HEADERS if headers.get(name)]
        if seconds is None or not urls:
            return
        due = self._clock() + seconds
        with self._lock:
            for url in urls:
                self._due[_key(url)] = due


def _key(url):
    # The poller may add or reorder query parameters (api-version); the path names the operation.
    parts = urlsplit(url)
    return parts.netloc.lower(), parts.path.lower()
