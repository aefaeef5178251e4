"""`azemu serve | env | stop`."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import ipaddress
import json
import logging
import os
import shlex
import signal
import sys
import time
from pathlib import Path

from .settings import Settings, fields_help

ENV_KEYS = (
    ("AZURE_CLOUD_ENVIRONMENT", "url"),
    ("AZURE_CLIENT_ID", "client_id"),
    ("AZURE_SECRET", "client_secret"),
    ("AZURE_TENANT", "tenant_id"),
    ("AZURE_SUBSCRIPTION_ID", "subscription_id"),
    ("REQUESTS_CA_BUNDLE", "ca_file"),
)


# Proxy mode: loopback stays direct (azemu's own URL, the data plane), HTTPS to public Azure's
# names goes through azemu's proxy; requests reads REQUESTS_CA_BUNDLE, other clients SSL_CERT_FILE.
NO_PROXY = "127.0.0.1,localhost,::1,127.0.0.0/8"


def env_vars(info: dict, *, proxy: bool = False) -> dict[str, str]:
    """The environment a client needs to reach the azemu described by azemu.json: as a custom
    cloud (AZURE_CLOUD_ENVIRONMENT), or with proxy=True as public Azure through its proxy."""
    env = {name: str(info[key]) for name, key in ENV_KEYS}
    if not proxy:
        return env
    if not info.get("proxy_url"):
        raise ValueError("this azemu runs without a proxy (start it with --proxy-port)")
    del env["AZURE_CLOUD_ENVIRONMENT"]
    env.update(HTTPS_PROXY=info["proxy_url"], https_proxy=info["proxy_url"], NO_PROXY=NO_PROXY, no_proxy=NO_PROXY,
               SSL_CERT_FILE=info["ca_file"])
    return env


def read_info(state_dir: Path) -> dict | None:
    try:
        return json.loads((state_dir / "azemu.json").read_text())
    except (OSError, ValueError):
        return None


def running_pid(info_path: Path, pid: int | None = None) -> int | None:
    """The pid in azemu.json (or `pid`, once azemu.json is gone) if that process is alive and
    is not us, else None."""
    if pid is None:
        try:
            pid = int(json.loads(info_path.read_text())["pid"])
        except (OSError, ValueError, KeyError, TypeError):
            return None
    if pid == os.getpid():
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass
    try:   # an exited child its parent has not reaped yet is not running
        if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
            return None
    except (OSError, IndexError):
        pass
    return pid


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="azemu", description="A local Azure Resource Manager emulator.")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run azemu in the foreground")
    serve.add_argument("--state-dir", required=True, type=Path, help="where state, keys and azemu.json live")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1; only "
                       "loopback addresses unless --allow-remote)")
    serve.add_argument("--allow-remote", action="store_true",
                       help="let --host be an address other hosts reach (ARM, the token endpoints, the test API and "
                            "the data plane's status, guarded only by azemu's test credentials; no RBAC)")
    serve.add_argument("--port", default=0, type=int, help="port (default 0: any free port)")
    serve.add_argument("--proxy-port", type=int, metavar="N",
                       help="also serve as public Azure through an HTTPS CONNECT proxy on port N (0: any free port)")
    serve.add_argument("--plugin", action="append", default=[], metavar="MODULE",
                       help="import MODULE at start-up (extra resource types, e.g. for tests)")
    serve.add_argument("--log-level", default="INFO", help="logging level (default INFO)")
    serve.add_argument("--faults", type=Path, metavar="FILE",
                       help="inject the faults of this JSON document into ARM requests (as PUT /_azemu/faults)")
    # A start-up flag, not a setting: the test API must not be able to point azemu at a file.
    serve.add_argument("--capture-responses", type=Path, metavar="PATH",
                       help="append every ARM response (status, headers, JSON body) to PATH, one JSON line each, "
                            "for a spec checker such as `python -m azemu_specs check PATH` (default: off)")
    for field in dataclasses.fields(Settings):
        choices = field.metadata.get("choices")
        serve.add_argument(f"--{field.name.replace('_', '-')}", dest=field.name, default=field.default,
                           metavar="|".join(choices) if choices else "N",
                           help=f"{field.metadata.get('help', '')} (default {field.default})")

    env = sub.add_parser("env", help="print the export lines for a running azemu")
    env.add_argument("--state-dir", required=True, type=Path)
    env.add_argument("--proxy", action="store_true",
                     help="reach it as public Azure through its proxy (no AZURE_CLOUD_ENVIRONMENT)")

    stop = sub.add_parser("stop", help="stop the azemu running for a state dir")
    stop.add_argument("--state-dir", required=True, type=Path)
    stop.add_argument("--timeout", default=10.0, type=float)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        return cmd_serve(args)
    if args.command == "env":
        return cmd_env(args)
    return cmd_stop(args)


def loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 or localhost: an address only this machine reaches."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def cmd_serve(args: argparse.Namespace) -> int:
    from .faults import Faults
    from .server import serve
    logging.basicConfig(level=args.log_level.upper(), stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if not loopback(args.host):
        if not args.allow_remote:
            print(f"azemu: refusing to listen on {args.host}: it is not a loopback address, so other hosts would "
                  "reach azemu (ARM, its token endpoints, the test API); use 127.0.0.1 or ::1, or add --allow-remote "
                  "if that is what you want", file=sys.stderr)
            return 2
        logging.getLogger("azemu").warning(
            "listening on %s, which other hosts may reach (--allow-remote): ARM, the token endpoints and the test "
            "API are guarded only by the credentials in the state dir, and azemu has no RBAC", args.host)
    settings = Settings()
    try:
        settings.update({name: getattr(args, name) for name, *_ in fields_help()})
    except ValueError as err:
        print(f"azemu: {err}", file=sys.stderr)
        return 2
    faults = Faults()
    if args.faults is not None:
        try:
            faults.configure(json.loads(args.faults.read_text()))
        except (OSError, ValueError) as err:
            print(f"azemu: --faults {args.faults}: {err}", file=sys.stderr)
            return 2
    asyncio.run(serve(args.state_dir, args.host, args.port, settings, args.plugin, proxy_port=args.proxy_port,
                      faults=faults, capture_responses=args.capture_responses))
    return 0


def cmd_env(args: argparse.Namespace) -> int:
    info = read_info(args.state_dir)
    if info is None:
        print(f"azemu: not running for state dir {args.state_dir} (no azemu.json)", file=sys.stderr)
        return 1
    try:
        env = env_vars(info, proxy=args.proxy)
    except ValueError as err:
        print(f"azemu: {err}", file=sys.stderr)
        return 1
    for name, value in env.items():
        print(f"export {name}={shlex.quote(value)}")
    return 0


def cmd_stop(args: argparse.Namespace) -> int:
    info = read_info(args.state_dir)
    if info is None:
        print(f"azemu: not running for state dir {args.state_dir}", file=sys.stderr)
        return 0
    try:
        os.kill(info["pid"], signal.SIGTERM)
    except ProcessLookupError:
        (args.state_dir / "azemu.json").unlink(missing_ok=True)
        return 0
    deadline = time.monotonic() + args.timeout
    while time.monotonic() < deadline and running_pid(args.state_dir / "azemu.json", info["pid"]) is not None:
        time.sleep(0.05)
    if running_pid(args.state_dir / "azemu.json", info["pid"]) is not None:
        print(f"azemu: pid {info['pid']} did not stop within {args.timeout}s", file=sys.stderr)
        return 1
    return 0
