"""An azemu of its own for each client and route, and the environment each route gives a client.

Two routes, as issue 10 describes them:
- custom cloud: the client is pointed at azemu's ARM URL (`azemu env`: AZURE_CLOUD_ENVIRONMENT
  and the credentials, REQUESTS_CA_BUNDLE for azemu's CA);
- proxy: `azemu serve --proxy-port`, an HTTPS CONNECT proxy answering as management.azure.com
  and login.microsoftonline.com; the client knows only public Azure (`azemu env --proxy`:
  HTTPS_PROXY, NO_PROXY, REQUESTS_CA_BUNDLE, SSL_CERT_FILE and the credentials, no
  AZURE_CLOUD_ENVIRONMENT). Until this azemu has proxy mode the proxy routes are skipped.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from functools import cache
from pathlib import Path

from azemu.settings import Settings
from azemu.testing import Azemu

# Emulated time 30 times faster, as `make demo`: the probe's 2 x 15 s and a VM's 60 s boot
# take seconds.
SETTINGS = {"time_scale": 30, "vm_boot_seconds": 60}

# What a client must not inherit from the shell that runs `make conformance`: a developer
# may have eval'd `azemu env` for another azemu, or have a proxy set.
INHERITED_PREFIXES = ("AZURE_", "ARM_", "ANSIBLE_", "MSAL_")
INHERITED_NAMES = {"REQUESTS_CA_BUNDLE", "SSL_CERT_FILE", "CURL_CA_BUNDLE", "HTTPS_PROXY", "HTTP_PROXY",
                   "NO_PROXY", "https_proxy", "http_proxy", "no_proxy", "ALL_PROXY", "all_proxy"}

PROXY_UNAVAILABLE = "proxy mode not available in this azemu"


class ProxyUnavailable(RuntimeError):
    pass


@cache
def _serve_help() -> str:
    return subprocess.run([sys.executable, "-m", "azemu", "serve", "--help"], capture_output=True, text=True,
                          check=True).stdout


def proxy_available() -> bool:
    return "--proxy-port" in _serve_help()


class RouteAzemu(Azemu):
    """azemu for one route; with `proxy`, also its CONNECT proxy on a free port."""

    def __init__(self, state_dir: Path, proxy: bool):
        settings = dict(SETTINGS)
        self.proxy = proxy
        self._proxy_flag = proxy and "proxy_port" not in Settings().as_dict()
        if proxy and not proxy_available():
            raise ProxyUnavailable(PROXY_UNAVAILABLE)
        if proxy and not self._proxy_flag:
            settings["proxy_port"] = 0
        super().__init__(state_dir, **settings)
        self._client_env: dict[str, str] | None = None

    def command(self) -> list[str]:
        return super().command() + (["--proxy-port", "0"] if self._proxy_flag else [])

    def client_env(self) -> dict[str, str]:
        """The variables `azemu env` (custom cloud) or `azemu env --proxy` prints."""
        if self._client_env is None:
            self._client_env = self._read_client_env()
        return self._client_env

    def _read_client_env(self) -> dict[str, str]:
        if not self.proxy:
            return self.env()
        done = subprocess.run([sys.executable, "-m", "azemu", "env", "--proxy", "--state-dir", str(self.state_dir)],
                              capture_output=True, text=True)
        if done.returncode != 0:
            raise ProxyUnavailable(f"{PROXY_UNAVAILABLE} (`azemu env --proxy`: {done.stderr.strip()[-200:]})")
        return parse_exports(done.stdout)

    def dataplane(self) -> dict:
        """GET /_azemu/dataplane: the frontends (with the port actually listened on), VMs, probes."""
        return self._test_api("GET", "dataplane")


def parse_exports(text: str) -> dict[str, str]:
    """`export NAME=value` lines (shell-quoted) as a dict."""
    env = {}
    for line in text.splitlines():
        words = shlex.split(line)
        if len(words) == 2 and words[0] == "export" and "=" in words[1]:
            name, _, value = words[1].partition("=")
            env[name] = value
    return env


def clean_environ(**extra: str) -> dict[str, str]:
    """os.environ without anything that points a client at some Azure, plus `extra`."""
    env = {k: v for k, v in os.environ.items()
           if k not in INHERITED_NAMES and not k.startswith(INHERITED_PREFIXES)}
    env.update(extra)
    return env
