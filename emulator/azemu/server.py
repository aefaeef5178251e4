"""Run azemu: listen over HTTPS, announce itself in `azemu.json`, stop cleanly on SIGTERM/SIGINT."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
from pathlib import Path

from aiohttp import web

from . import tls
from .app import make_app
from .capture import ResponseCapture
from .arm import registry
from .cli import running_pid
from .emulator import Emulator
from .faults import Faults
from .hosts import PUBLIC_HOSTS
from .proxy import Proxy
from .settings import Settings

INFO_FILE = "azemu.json"
log = logging.getLogger("azemu")


def info_document(emu: Emulator, port: int, proxy: Proxy | None = None) -> dict:
    """azemu.json, exactly the keys docs/contract.md lists."""
    primary = emu.identities.primary
    doc = {"url": emu.url, "port": port, "pid": os.getpid(), "ca_file": str(emu.state_dir / tls.CA_FILE),
           "tenant_id": primary.tenant_id, "subscription_id": primary.subscription_id,
           "client_id": primary.client_id, "client_secret": primary.client_secret}
    if proxy is not None:
        doc.update(proxy_url=url_for(proxy.host, proxy.port, "http"), proxy_port=proxy.port)
    return doc


def _write_json(path: Path, data: dict) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.touch(mode=0o600)      # it holds the client secret
    tmp.write_text(json.dumps(data, indent=2) + "\n")
    tmp.replace(path)


def url_for(host: str, port: int, scheme: str = "https") -> str:
    return f"{scheme}://[{host}]:{port}" if ":" in host else f"{scheme}://{host}:{port}"


async def serve(state_dir: Path, host: str, port: int, settings: Settings, plugins: list[str],
                proxy_port: int | None = None, *, faults: Faults | None = None,
                capture_responses: Path | None = None) -> None:
    state_dir = state_dir.resolve()
    state_dir.mkdir(parents=True, exist_ok=True)
    owner = running_pid(state_dir / INFO_FILE)
    if owner is not None:
        # Two processes on one state dir would overwrite each other's state.json.
        raise SystemExit(f"azemu: pid {owner} already serves {state_dir} (see azemu.json); stop it first")
    registry.load_providers(plugins)
    emu = Emulator(state_dir, settings)
    if faults is not None:
        emu.faults = faults
    ssl_context = tls.server_context(state_dir)
    # A short grace period: stopping must not hang on a client's idle keep-alive connection.
    capture = ResponseCapture(capture_responses) if capture_responses else None
    runner = web.AppRunner(make_app(emu, capture), handle_signals=False, access_log=None, shutdown_timeout=2.0)
    await runner.setup()
    site = web.TCPSite(runner, host, port, ssl_context=ssl_context, reuse_address=True)
    await site.start()
    actual_port = runner.addresses[0][1]
    emu.url = url_for(host, actual_port)
    # Proxy mode (proxy.py): public Azure's names, served by the same server on a second port.
    proxy = None if proxy_port is None else await Proxy.start(
        runner.server, tls.load_or_create_ca(state_dir), host, proxy_port)
    emu.ops.settle()          # operations that came due while azemu was stopped complete now
    info_path = state_dir / INFO_FILE
    info = info_document(emu, actual_port, proxy)
    _write_json(info_path, info)
    log.info("azemu listening on %s (state dir %s)", emu.url, state_dir)
    if proxy is not None:
        log.info("azemu proxy for %s on %s", ", ".join(sorted(PUBLIC_HOSTS)), info["proxy_url"])

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        log.info("azemu stopping")
        if proxy is not None:
            proxy.close()
        try:
            if json.loads(info_path.read_text()).get("pid") == os.getpid():
                info_path.unlink()
        except (OSError, ValueError):
            pass
        emu.save()
        await runner.cleanup()
        emu.log.close()
        if capture:
            capture.close()
