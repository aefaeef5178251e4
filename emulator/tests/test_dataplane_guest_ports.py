"""What a VM's cloud-init tells the data plane: the ports nginx listens on and the app's health
route, and the app answering on several ports with that route."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

from azemu.dataplane import guest
from azemu.dataplane.vm_app import HelloApp
from test_dataplane_vm_app import HOST, read_response, run

NGINX = """#cloud-config
write_files:
  - path: /etc/nginx/sites-available/default
    content: |
      server {
        listen 80;
        listen [::]:8080 default_server;
        listen 127.0.0.1:9090;
        location / { proxy_pass http://localhost:3000; }
      }
  - path: /opt/myapp/index.js
    content: |
      app.get('/', function (req, res) { res.send('Hello World from host ' + os.hostname() + '!'); });
      app.get('/healthz', function (req, res) { res.send('OK'); });
"""


def vm(user_data):
    return SimpleNamespace(internal={"cloud_init": {"user_data": user_data}})


def test_ports_come_from_nginx_listen_directives_and_default_to_80():
    assert guest.app_ports(vm(NGINX)) == (80, 8080, 9090)
    assert guest.app_ports(vm("#cloud-config\n# Hello World from host\n")) == (80,)
    assert guest.app_ports(SimpleNamespace(internal={})) == (80,)


def test_the_health_route_is_served_only_when_the_app_has_it():
    assert guest.health_path(vm(NGINX)) == "/healthz"
    assert guest.health_path(vm("res.send('Hello World from host ' + os.hostname() + '!')")) is None


def test_the_app_answers_on_every_port_and_its_health_route():
    async def ask(port, path):
        reader, writer = await asyncio.open_connection(HOST, port)
        writer.write(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        answer = await read_response(reader)
        writer.close()
        return answer[0], answer[2]

    async def scenario(health_path):
        app = HelloApp("myVM1", health_path)
        await app.start([HOST], 0, 0)
        ports = [server.sockets[0].getsockname()[1] for server in app.servers]
        answers = [await ask(port, path) for port in ports for path in ("/", "/healthz")]
        await app.stop()
        return answers

    assert run(scenario("/healthz")) == [(200, "Hello World from host myVM1!"), (200, "OK")] * 2
    without = run(scenario(None))
    assert without[0] == (200, "Hello World from host myVM1!") and without[1][0] == 404
