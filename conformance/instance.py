"""An azemu of its own for each client and route, and the environment each route gives a client.

Two routes, as issue 10 describes them:
- custom cloud: the client is pointed at azemu's ARM URL (`azemu env`: AZURE_CLOUD_ENVIRONMENT
  and the credentials, REQUESTS_CA_BUNDLE for azemu's CA);
- proxy: `azemu serve --proxy-port`, an HTTPS CONNECT proxy answering as management.azure.com
  and login.microsoftonline.com; the client knows only public Azure (`azemu env --proxy`:
  HTTPS_PROXY, NO_PROXY, REQUESTS_CA_BUNDLE, SSL_CERT_FILE and the credentials, no
  AZURE_CLOUD_ENVIRONMENT).
"""

from __future__ import annotations

import os
from pathlib import Path

from azemu.testing import Azemu

from results import RouteResult

# Emulated time 30 times faster, as `make demo`: the probe's 2 x 15 s and a VM's 60 s boot
# take seconds.
SETTINGS = {"time_scale": 30, "vm_boot_seconds": 60}

# What a client must not inherit from the shell that runs `make conformance`: a developer
# may have eval'd `azemu env` for another azemu, or have a proxy set.
INHERITED_PREFIXES = ("AZURE_", "ARM_", "ANSIBLE_", "MSAL_")
INHERITED_NAMES = {"REQUESTS_CA_BUNDLE", "SSL_CERT_FILE", "CURL_CA_BUNDLE", "HTTPS_PROXY", "HTTP_PROXY",
                   "NO_PROXY", "https_proxy", "http_proxy", "no_proxy", "ALL_PROXY", "all_proxy"}

class RouteAzemu(Azemu):
    """azemu for one route; `via_proxy`: with its CONNECT proxy, the client sees public Azure."""

    def __init__(self, state_dir: Path, proxy: bool):
        super().__init__(state_dir, **SETTINGS, **({"proxy": True} if proxy else {}))
        self.via_proxy = proxy

    def client_env(self) -> dict[str, str]:
        """What `azemu env` (custom cloud) or `azemu env --proxy` prints."""
        return self.env(proxy=True) if self.via_proxy else self.env()

    def route_env(self) -> dict[str, str]:
        """client_env() less the AZURE_* variables, which each client takes in its own way:
        REQUESTS_CA_BUNDLE; through the proxy also HTTPS_PROXY, NO_PROXY and SSL_CERT_FILE."""
        return {k: v for k, v in self.client_env().items() if not k.startswith("AZURE_")}

    def dataplane(self) -> dict:
        """GET /_azemu/dataplane: the frontends (with the port actually listened on), VMs, probes."""
        return self._test_api("GET", "dataplane")


class ClientRoute:
    """One client's run over one route: run_all() runs its steps against `emu`, in the
    private folder `work`, and records them in `result`."""

    def __init__(self, venv: Path, emu: RouteAzemu, work: Path, result: RouteResult):
        self.venv = venv
        self.emu = emu
        self.work = work
        self.result = result

    def run_all(self) -> None:
        raise NotImplementedError


def clean_environ(**extra: str) -> dict[str, str]:
    """os.environ without anything that points a client at some Azure, plus `extra`."""
    env = {k: v for k, v in os.environ.items()
           if k not in INHERITED_NAMES and not k.startswith(INHERITED_PREFIXES)}
    env.update(extra)
    return env
