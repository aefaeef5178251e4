"""playbooks/vars/tutorial.yml as Ansible templates it: the one-variable switch to an HTTP probe
on the app's health route, and the probes and rules built from the tutorial's names."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar, trust_as_template

TUTORIAL = Path(__file__).resolve().parents[2] / "playbooks" / "vars" / "tutorial.yml"


def trusted(value):
    """As a vars file of the playbook is to Ansible: its templates are trusted."""
    if isinstance(value, dict):
        return {key: trusted(item) for key, item in value.items()}
    if isinstance(value, list):
        return [trusted(item) for item in value]
    return trust_as_template(value) if isinstance(value, str) else value


def rendered(name, **extra):
    variables = dict(trusted(yaml.safe_load(TUTORIAL.read_text())), **extra)
    return Templar(loader=DataLoader(), variables=variables).template(variables[name])


def test_the_tutorial_probe_is_tcp_on_the_app_port():
    assert rendered("lb_probes") == [{"name": "myHealthProbe", "protocol": "Tcp", "port": 80, "interval": 15,
                                      "probe_threshold": 2}]


@pytest.mark.parametrize("path", ["/healthz", "/status"])
def test_probe_request_path_alone_switches_to_an_http_probe_of_that_path(path):
    assert rendered("lb_probes", probe_request_path=path) == [
        {"name": "myHealthProbe", "protocol": "Http", "port": 80, "request_path": path, "interval": 15,
         "probe_threshold": 2}]


def test_the_rule_follows_the_names_and_the_app_port():
    assert rendered("lb_rules", rule_name="web", probe_name="health", app_port=8080) == [
        {"name": "web", "protocol": "Tcp", "frontend_port": 8080, "backend_port": 8080, "probe": "health"}]
