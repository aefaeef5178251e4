"""`Azemu`: run a real azemu in a subprocess from tests (both the collection's and azemu's own).

    with Azemu(tmp_path / "azemu", latency=0.5) as emu:
        os.environ.update(emu.env())
        mark = emu.mark()
        ...                                   # drive ansible-playbook / the SDK against emu.url
        assert emu.writes(since=mark) == []

It starts `python -m azemu serve` on a free port (`--port 0`: azemu binds, then reports the
port in azemu.json, so there is no race for it), waits for azemu.json, and stops it with
SIGTERM (then SIGKILL) on `stop()`, on leaving the `with` block, and at interpreter exit.
azemu's output goes to `<state_dir>/azemu.log`; a failed start raises `AzemuStartError` with
the end of that log.

Spec check (`check_specs=True`, the default): azemu captures every ARM response to
`<state_dir>/responses.jsonl`, and `stop()` validates what was captured since the last check
against Azure's REST specs (`azemu_specs`, in this process, never in azemu's), raising
`SpecViolations` with the list. Without the Azure reference material it warns once and
captures nothing.
"""

from __future__ import annotations

import atexit
import json
import os
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from .cli import env_vars, running_pid
from .identity.identities import IDENTITIES_FILE, TEST_API_TOKEN_FILE
from .settings import Settings

_running: "set[Azemu]" = set()


class AzemuStartError(RuntimeError):
    pass


class Mark(int):
    """A position in one azemu's request log: the sequence number (an int, as before), and
    `log`, the id of the log it belongs to."""
    log: str

    def __new__(cls, seq: int, log: str) -> "Mark":
        mark = super().__new__(cls, seq)
        mark.log = log
        return mark


class Azemu:
    def __init__(self, state_dir: str | os.PathLike, *, host: str = "127.0.0.1", port: int = 0,
                 plugins: tuple[str, ...] | list[str] = (), extra_env: dict[str, str] | None = None,
                 startup_timeout: float = 30.0, proxy: bool = False, check_specs: bool = True,
                 **settings: Any):
        known = set(Settings().as_dict())
        unknown = set(settings) - known
        if unknown:
            raise TypeError(f"unknown azemu settings {sorted(unknown)}; known: {sorted(known)}")
        self.state_dir = Path(state_dir).resolve()
        self.host = host
        self.port = port
        self.proxy_port = 0 if proxy else None      # proxy mode (proxy.py) on any free port
        self.plugins = list(plugins)
        self.extra_env = dict(extra_env or {})
        self.startup_timeout = startup_timeout
        self.initial_settings = settings
        self.check_specs = check_specs
        self._capturing: bool | None = None     # decided at the first start
        self._checked_to = 0                    # bytes of the capture already checked
        self.spec_report = None                 # azemu_specs.Report of the last check
        self.proc: subprocess.Popen | None = None
        self.info: dict[str, Any] = {}
        self._log = None
        self._ssl: ssl.SSLContext | None = None

    # --- life cycle -------------------------------------------------------------------------

    @property
    def log_path(self) -> Path:
        return self.state_dir / "azemu.log"

    @property
    def info_path(self) -> Path:
        return self.state_dir / "azemu.json"

    @property
    def capture_path(self) -> Path:
        return self.state_dir / "responses.jsonl"

    def command(self) -> list[str]:
        cmd = [sys.executable, "-m", "azemu", "serve", "--state-dir", str(self.state_dir),
               "--host", self.host, "--port", str(self.port)]
        if self.proxy_port is not None:
            cmd += ["--proxy-port", str(self.proxy_port)]
        for key, value in self.initial_settings.items():
            cmd += [f"--{key.replace('_', '-')}", str(value)]
        for plugin in self.plugins:
            cmd += ["--plugin", plugin]
        if self._capturing:
            cmd += ["--capture-responses", str(self.capture_path)]
        return cmd

    def start(self) -> "Azemu":
        if self.proc is not None:
            raise RuntimeError("azemu is already running")
        self.state_dir.mkdir(parents=True, exist_ok=True)
        owner = running_pid(self.info_path)
        if owner is not None:
            raise AzemuStartError(f"pid {owner} already serves {self.state_dir}; stop it first")
        self.info_path.unlink(missing_ok=True)       # a stale one from a killed run
        if self._capturing is None:
            self._capturing = self.check_specs and _specs_available()
            # What another Azemu captured on this state dir before is its own to check.
            self._checked_to = self.capture_path.stat().st_size if self.capture_path.exists() else 0
        self._log = open(self.log_path, "ab")
        self._log.write(f"--- {time.strftime('%Y-%m-%d %H:%M:%S')} {' '.join(self.command())}\n".encode())
        self._log.flush()
        env = {**os.environ, **self.extra_env}
        self.proc = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL, stdout=self._log,
                                     stderr=subprocess.STDOUT, env=env)
        _running.add(self)
        deadline = time.monotonic() + self.startup_timeout
        while True:
            info = self._read_info()
            if info and info.get("pid") == self.proc.pid:
                break
            if self.proc.poll() is not None:
                self._fail(f"azemu exited with status {self.proc.returncode} before it was ready")
            if time.monotonic() > deadline:
                self._fail(f"azemu did not write {self.info_path} within {self.startup_timeout}s")
            time.sleep(0.02)
        self.info = info
        self.port = info["port"]     # a restart comes back on the same port(s)
        self.proxy_port = info.get("proxy_port", self.proxy_port)
        self._ssl = ssl.create_default_context(cafile=info["ca_file"])
        return self

    def _read_info(self) -> dict | None:
        try:
            return json.loads(self.info_path.read_text())
        except (OSError, ValueError):
            return None

    def _fail(self, reason: str) -> None:
        self._terminate(timeout=5)
        raise AzemuStartError(f"{reason}; command: {' '.join(self.command())}\n--- {self.log_path} (end) ---\n"
                              f"{self.log_tail()}")

    def log_tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM, wait up to `timeout`, then SIGKILL; then the spec check of what azemu
        answered since the last one (raises `azemu_specs.session.SpecViolations`). Safe to
        call twice."""
        self._terminate(timeout)
        self.check_responses()

    def check_responses(self) -> None:
        """Validate the responses captured since the last check (stop() does it)."""
        if self._capturing and self.capture_path.exists():
            from azemu_specs import session
            label = f"{self.state_dir.parent.name}/{self.state_dir.name}"
            self.spec_report, self._checked_to = session.check(self.capture_path, self._checked_to, label)
            if self.spec_report.failed:
                raise session.SpecViolations(self.spec_report.failure(label))

    def _terminate(self, timeout: float) -> None:
        proc, self.proc = self.proc, None
        if proc is not None:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(5)
        if self._log is not None:
            self._log.close()
            self._log = None
        _running.discard(self)

    def restart(self) -> "Azemu":
        self._terminate(10.0)        # the check waits for the final stop
        return self.start()

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def __enter__(self) -> "Azemu":
        return self.start()

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc is None:
            self.stop()
            return
        try:                 # do not hide the error that ended the block; add the check to it
            self.stop()
        except AssertionError as violations:
            exc.add_note(str(violations))

    # --- what clients need ------------------------------------------------------------------

    @property
    def url(self) -> str:
        return self.info["url"]

    @property
    def ca_file(self) -> str:
        return self.info["ca_file"]

    def env(self, *, proxy: bool = False) -> dict[str, str]:
        """AZURE_CLOUD_ENVIRONMENT, AZURE_CLIENT_ID, AZURE_SECRET, AZURE_TENANT,
        AZURE_SUBSCRIPTION_ID, REQUESTS_CA_BUNDLE (what `azemu env` prints); with proxy=True
        the public-Azure route of `azemu env --proxy` (needs `Azemu(..., proxy=True)`)."""
        return env_vars(self.info, proxy=proxy)

    # --- test endpoints ---------------------------------------------------------------------

    def http(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None,
             timeout: float = 30.0, form: dict[str, str] | None = None) -> tuple[int, Any, Any]:
        """One HTTPS request to azemu: (status, headers (case-insensitive `.get`), parsed JSON
        body or None). `body` is sent as JSON, `form` as application/x-www-form-urlencoded."""
        if form is not None:
            data, content_type = urllib.parse.urlencode(form).encode(), "application/x-www-form-urlencoded"
        elif body is not None:
            data, content_type = json.dumps(body).encode(), "application/json"
        else:
            data, content_type = None, None
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=dict(headers or {}))
        if content_type:
            req.add_header("Content-Type", content_type)
        try:
            with urllib.request.urlopen(req, context=self._ssl, timeout=timeout) as resp:
                status, resp_headers, raw = resp.status, resp.headers, resp.read()
        except urllib.error.HTTPError as err:
            status, resp_headers, raw = err.code, err.headers, err.read()
        return status, resp_headers, (json.loads(raw) if raw.strip() else None)

    @property
    def test_api_token(self) -> str:
        """The test API's credential, from the state dir (azemu writes it before it listens)."""
        return (self.state_dir / TEST_API_TOKEN_FILE).read_text().strip()

    def test_api(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        """One authenticated call of `/_azemu/<path>`: (status, parsed body)."""
        status, _, doc = self.http(method, "/_azemu/" + path, body,
                                   {"Authorization": f"Bearer {self.test_api_token}"})
        return status, doc

    def _test_api(self, method: str, path: str, body: Any = None) -> Any:
        status, doc = self.test_api(method, path, body)
        if status != 200:
            raise RuntimeError(f"/_azemu/{path}: {status} {doc}")
        return doc

    def mark(self) -> "Mark":
        """Where the request log is now (its sequence number and which log); pass it as
        `since=` later. A mark of another azemu, or from the future, makes that call fail."""
        doc = self._test_api("GET", "counters")
        return Mark(doc["seq"], doc["log"])

    def requests(self, since: int = 0) -> list[dict[str, Any]]:
        log = f"&log={since.log}" if isinstance(since, Mark) else ""
        return self._test_api("GET", f"requests?since={int(since)}{log}")["requests"]

    def writes(self, since: int = 0) -> list[dict[str, Any]]:
        """ARM requests that may change something: not GET/HEAD, nor a read-only action such as
        rule health (token, metadata and /_azemu calls never count)."""
        return [r for r in self.requests(since) if r["write"]]

    def counters(self) -> dict[str, Any]:
        return self._test_api("GET", "counters")

    def settings(self, **changes: Any) -> dict[str, Any]:
        """Change settings (PUT /_azemu/settings); with no arguments, read them."""
        if changes:
            return self._test_api("PUT", "settings", changes)
        return self._test_api("GET", "settings")

    def faults(self, rules: list[dict[str, Any]] | None = None, *, seed: int = 0) -> dict[str, Any]:
        """Inject faults into ARM requests (PUT /_azemu/faults, see azemu/faults.py):
        `emu.faults([{"status": 429, "share": 0.1}], seed=1)`; `emu.faults([])` turns them off.
        With no arguments, read them: the rules with what each matched and injected."""
        if rules is None:
            return self._test_api("GET", "faults")
        return self._test_api("PUT", "faults", {"seed": seed, "rules": rules})

    def state(self) -> dict[str, Any]:
        """Every stored resource and operation, as /_azemu/state shows them (secrets hidden)."""
        return self._test_api("GET", "state")

    def identities(self) -> list[dict[str, Any]]:
        """Every tenant with its subscription and principal, secrets included (from the state
        dir; the test API never hands them out); [0] is the one env() describes."""
        return json.loads((self.state_dir / IDENTITIES_FILE).read_text())["tenants"]

    def token(self, tenant: dict[str, Any] | None = None, scope: str | None = None) -> str:
        """An access token (the primary principal by default) for azemu's ARM audience, or for
        `scope` (`https://management.azure.com/.default`: azemu addressed as public ARM)."""
        t = tenant or self.identities()[0]
        status, _, body = self.http("POST", f"/{t['tenant_id']}/oauth2/v2.0/token", form={
            "grant_type": "client_credentials", "client_id": t["client_id"], "client_secret": t["client_secret"],
            "scope": scope or self.url + "/.default"})
        if status != 200:
            raise RuntimeError(f"token request failed: {status} {body}")
        return body["access_token"]


def _specs_available() -> bool:
    try:
        from azemu_specs import session
    except ImportError as err:          # jsonschema missing: say so, once
        import warnings
        warnings.warn(f"azemu spec check skipped: {err} (pip install -r requirements-dev.txt)", stacklevel=3)
        return False
    return session.available()


@atexit.register
def _stop_all() -> None:
    for emu in list(_running):
        try:
            emu.stop(timeout=5)
        except AssertionError as violations:     # nobody left to raise to
            print(violations, file=sys.stderr)
