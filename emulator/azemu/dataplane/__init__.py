"""azemu's data plane: the load balancer at work on this machine.

Every public IP used by a load balancer frontend listens on its (loopback) address and each
rule's frontend port; each new connection goes to one healthy backend of the rule's pool,
picked by the rule's hash, if the backend's NSGs let it in; every running VM whose cloud-init
carries the tutorial's app serves it on its own loopback address; probes run on their
interval and threshold; `POST .../loadBalancingRules/{rule}/health` reports what they see.
See engine.py for how it follows the store, and emulator/README.md for the settings.

`install(app)` ties it to the aiohttp application: started and stopped with it, its state at
`GET /_azemu/dataplane`.
"""

from __future__ import annotations

import logging

from aiohttp import web

from . import health
from .engine import APP_KEY, DataPlane

log = logging.getLogger("azemu.dataplane")


def install(app: web.Application) -> None:
    """Call before the application's catch-all route is added."""
    app.router.add_get("/_azemu/dataplane", _status)
    app.on_startup.append(_start)
    app.on_cleanup.append(_stop)


async def _start(app: web.Application) -> None:
    if not health.install():
        log.warning("no load balancing rule type registered: the rule health API is not served")
    plane = DataPlane(app["emu"])
    app[APP_KEY] = plane
    await plane.start()


async def _stop(app: web.Application) -> None:
    await app[APP_KEY].stop()


async def _status(request: web.Request) -> web.Response:
    return web.json_response(request.app[APP_KEY].status())
