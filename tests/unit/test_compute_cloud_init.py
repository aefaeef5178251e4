"""The vms role's cloud-init template renders to valid cloud-config: nginx in front of the
hello-world app, every write_files item complete (the tutorial's file is not)."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest
import yaml

ROLE = Path(__file__).resolve().parents[2] / "roles" / "vms"


def render(**overrides):
    variables = yaml.safe_load((ROLE / "defaults" / "main.yml").read_text())
    variables.update(overrides)
    template = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True).from_string(
        (ROLE / "templates" / "cloud-init.yml.j2").read_text())
    return template.render(**variables)


def files_of(config):
    return {item["path"]: item for item in config["write_files"]}


@pytest.fixture
def config():
    text = render()
    assert text.startswith("#cloud-config\n"), "cloud-init takes the file as cloud-config only with this first line"
    return yaml.safe_load(text)


def test_structure(config):
    assert set(config) == {"package_upgrade", "packages", "write_files", "runcmd"}
    assert {"nginx", "nodejs", "npm"} <= set(config["packages"])
    for item in config["write_files"]:
        assert set(item) == {"path", "owner", "permissions", "content"}, item
        assert item["path"].startswith("/") and item["content"].strip()
        assert isinstance(item["permissions"], str), "octal modes must stay strings"
    for command in config["runcmd"]:
        assert isinstance(command, list) and all(isinstance(arg, str) for arg in command), command


def test_nginx_proxies_port_80_to_the_app(config):
    nginx = files_of(config)["/etc/nginx/sites-available/default"]["content"]
    assert "listen 80;" in nginx
    assert "proxy_pass http://localhost:3000;" in nginx
    assert nginx.count("{") == nginx.count("}")


def test_the_app_says_hello_from_its_host(config):
    app = files_of(config)["/opt/myapp/index.js"]["content"]
    assert "res.send('Hello World from host ' + os.hostname() + '!');" in app
    assert "app.listen(3000," in app
    unit = files_of(config)["/etc/systemd/system/myapp.service"]["content"]
    assert "ExecStart=/usr/bin/node /opt/myapp/index.js" in unit and "WantedBy=multi-user.target" in unit
    assert ["systemctl", "enable", "--now", "myapp.service"] in config["runcmd"]
    assert ["systemctl", "restart", "nginx"] == config["runcmd"][-1]


def test_ports_and_directory_follow_the_variables():
    config = yaml.safe_load(render(vms_http_ports=[8080], vms_app_port=5000, vms_app_dir="/srv/hello"))
    files = files_of(config)
    assert "listen 8080;" in files["/etc/nginx/sites-available/default"]["content"]
    assert "proxy_pass http://localhost:5000;" in files["/etc/nginx/sites-available/default"]["content"]
    assert "app.listen(5000," in files["/srv/hello/index.js"]["content"]
    assert ["sh", "-c", "cd /srv/hello && npm init -y && npm install express"] == config["runcmd"][0]


def test_nginx_serves_every_port_and_the_app_has_a_health_route():
    config = yaml.safe_load(render(vms_http_ports=[80, 8080]))
    nginx = files_of(config)["/etc/nginx/sites-available/default"]["content"]
    assert "listen 80;" in nginx and "listen 8080;" in nginx
    app = files_of(config)["/opt/myapp/index.js"]["content"]
    assert "app.get('/healthz', function (req, res) {" in app and "res.send('OK');" in app


def test_azemu_reads_the_same_ports_and_health_route_from_it():
    """azemu's VMs run the app where the cloud-init says: the two must agree."""
    from types import SimpleNamespace

    from azemu.dataplane import guest

    vm = SimpleNamespace(internal={"cloud_init": {"user_data": render(vms_http_ports=[80, 8080])}})
    assert guest.serves_app(vm) and guest.app_ports(vm) == (80, 8080) and guest.health_path(vm) == "/healthz"
