"""The emulator's state in one object: store, settings, identities, operations, request log,
and the listeners later parts (the data plane) use to follow resource changes."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Callable

from .arm import engine, groups  # noqa: F401 (imported for their operation completers: put, delete, rg-delete)
from .arm.context import Ctx, Res
from .arm.operations import OperationManager
from .faults import Faults
from .hosts import PUBLIC_AUDIENCES, Names
from .identity.identities import Identities, test_api_token
from .requestlog import LOG_FILE, RequestLog
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
        self.test_api_token = test_api_token(self.state_dir)
        self.store = Store(self.state_dir / "state.json")
        self.ops = OperationManager(self)
        self.log = RequestLog(self.state_dir / LOG_FILE)
        self.faults = Faults()
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

    def audiences(self, names: Names) -> list[str]:
        """The audiences ARM accepts and AAD issues tokens for: azemu's own URL (also as the
        client addressed it, as /metadata/endpoints announces it) and public ARM's, each with and
        without its trailing slash, as ARM's InvalidAuthenticationTokenAudience message lists them
        ('https://management.usgovcloudapi.net/', 'https://management.usgovcloudapi.net')."""
        own = [self.url] if names.public or names.base == self.url else [self.url, names.base]
        bases = [*own, *(a.rstrip("/") for a in PUBLIC_AUDIENCES)]
        return [spelling for base in bases for spelling in (base + "/", base)]

    def accepts_audience(self, value: str, names: Names) -> bool:
        return value.lower() in {a.lower() for a in self.audiences(names)}
