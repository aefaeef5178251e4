"""The emulator's state in one object: store, settings, identities, operations, request log,
and the listeners later parts (the data plane) use to follow resource changes."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Callable

from .arm.context import Ctx, Res
from .arm.operations import OperationManager
from .identity.identities import Identities
from .requestlog import RequestLog
from .settings import Settings
from .store import Store

log = logging.getLogger("azemu")

# listener(event, ctx, res): event is "write" (stored, maybe still provisioning), "provisioned"
# (its operation completed), "delete" (gone from the store) or "action" (an action completed).
Listener = Callable[[str, Ctx, Res], None]


class Emulator:
    def __init__(self, state_dir: Path, settings: Settings | None = None):
        self.state_dir = Path(state_dir)
        self.settings = settings or Settings()
        self.identities = Identities.load_or_create(self.state_dir)
        self.store = Store(self.state_dir / "state.json")
        self.ops = OperationManager(self)
        self.log = RequestLog()
        self.listeners: list[Listener] = []
        self.url = ""      # set once listening: "https://127.0.0.1:PORT"

    def ctx(self, **kw: Any) -> Ctx:
        return Ctx(self, **kw)

    def save(self) -> None:
        self.store.save()

    def publish(self, event: str, ctx: Ctx, res: Res) -> None:
        for listener in list(self.listeners):
            try:
                listener(event, ctx, res)
            except Exception:     # a listener's bug must not fail the client's request
                log.exception("listener %r failed on %s %s", listener, event, res.id)

    @property
    def audience(self) -> str:
        """The audience /metadata/endpoints advertises: the ARM URL with a trailing slash, as
        Azure writes its own ("https://management.azure.com/")."""
        return self.url + "/"

    def audiences(self) -> list[str]:
        """The audiences ARM accepts in a token: both spellings of the ARM URL, as ARM's
        InvalidAuthenticationTokenAudience message lists them ('https://management.usgovcloudapi.net/',
        'https://management.usgovcloudapi.net')."""
        return [self.audience, self.url]

    def accepts_audience(self, value: str) -> bool:
        return value.lower() in {a.lower() for a in self.audiences()}
