"""The smoke test's verdict when a VM never answers: it gives up after the number of new
connections cloudlb.azure.connection_attempts gives, and its failure names that VM.

A real ansible-playbook run of playbooks/tasks/every_vm_answers.yml against a web server on
loopback that always answers as web1, so web2 never does; no azemu needed."""

from __future__ import annotations

import http.server
import threading
from pathlib import Path

import pytest

TASKS = Path(__file__).resolve().parents[2] / "playbooks" / "tasks" / "every_vm_answers.yml"


class Web1(http.server.BaseHTTPRequestHandler):
    served = 0

    def do_GET(self):  # noqa: N802 (http.server's name)
        Web1.served += 1
        body = b"Hello World from host web1!"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def web1():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Web1)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def test_a_vm_that_never_answers_is_named_after_the_attempts_it_was_owed(run_playbook, web1):
    # Odds of 0.01 among 2 VMs: 8 connections (2 * 0.5 ** 8 <= 0.01 < 2 * 0.5 ** 7).
    Web1.served = 0
    run = run_playbook([{"name": "One rule", "ansible.builtin.include_tasks": str(TASKS)}],
                       vars={"smoke_url": web1, "smoke_vms": ["web1", "web2"], "fetch_count": 2,
                             "fetch_miss_odds": 0.01})
    assert not run.ok, run.output()
    message = run.task("Say which VMs never answered")["msg"]
    assert message.startswith(f"These VMs never answered on {web1}, each over 8 new connections"), message
    assert message.endswith(": web2"), message
    assert Web1.served == 2 + 8, Web1.served
