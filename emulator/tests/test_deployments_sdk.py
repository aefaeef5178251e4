"""Template deployments through Microsoft's own SDK (azure-mgmt-resource-deployments, where
ResourceManagementClient.deployments moved): its pollers, models and errors against azemu."""

from __future__ import annotations

import pytest
from azure.core.exceptions import HttpResponseError
from azure.mgmt.resource.deployments.models import (Deployment, DeploymentProperties, DeploymentWhatIf,
                                                    DeploymentWhatIfProperties)

from dataplane_lab import Sdk
from deployment_helpers import template

NET = "Microsoft.Network"
TEMPLATE = template(
    [{"type": f"{NET}/publicIPAddresses", "apiVersion": "2024-05-01", "name": "[parameters('ipName')]",
      "location": "[resourceGroup().location]", "sku": {"name": "Standard"},
      "properties": {"publicIPAllocationMethod": "Static"}},
     {"type": f"{NET}/networkSecurityGroups", "apiVersion": "2024-05-01", "name": "nsg",
      "location": "[resourceGroup().location]", "dependsOn": ["[parameters('ipName')]"]}],
    parameters={"ipName": {"type": "string", "defaultValue": "ip1"}},
    outputs={"ip": {"type": "string", "value": "[reference(parameters('ipName')).ipAddress]"}})


@pytest.fixture(scope="module")
def sdk(emu):
    return Sdk(emu)


def test_create_read_list_and_delete(sdk, rg, settings):
    settings(latency=0.2)
    deployments = sdk.deployments.deployments
    body = Deployment(properties=DeploymentProperties(mode="Incremental", template=TEMPLATE,
                                                      parameters={"ipName": {"value": "sdk-ip"}}))
    result = deployments.begin_create_or_update(rg, "sdk", body).result()
    assert result.properties.provisioning_state == "Succeeded"
    address = sdk.network.public_ip_addresses.get(rg, "sdk-ip").ip_address
    assert result.properties.outputs == {"ip": {"type": "String", "value": address}}
    assert [r.id.rsplit("/", 1)[-1] for r in result.properties.output_resources] == ["nsg", "sdk-ip"]
    assert deployments.check_existence(rg, "sdk") is True
    assert [d.name for d in deployments.list_by_resource_group(rg)] == ["sdk"]
    operations = list(sdk.deployments.deployment_operations.list(rg, "sdk"))
    assert sorted(o.properties.target_resource.resource_name for o in operations if o.properties.target_resource) \
        == ["nsg", "sdk-ip"]
    one = sdk.deployments.deployment_operations.get(rg, "sdk", operations[0].operation_id)
    assert one.properties.provisioning_state == "Succeeded"
    assert deployments.export_template(rg, "sdk").template == TEMPLATE
    deployments.begin_delete(rg, "sdk").result()
    assert deployments.check_existence(rg, "sdk") is False


def test_validate_and_what_if(sdk, rg):
    deployments = sdk.deployments.deployments
    body = Deployment(properties=DeploymentProperties(mode="Incremental", template=TEMPLATE))
    validated = deployments.begin_validate(rg, "check", body).result()
    assert validated.properties.provisioning_state == "Succeeded"
    assert len(validated.properties.validated_resources) == 2
    changes = deployments.begin_what_if(rg, "check", DeploymentWhatIf(properties=DeploymentWhatIfProperties(
        mode="Incremental", template=TEMPLATE))).result().changes
    assert sorted((c.resource_id.rsplit("/", 1)[-1], c.change_type) for c in changes) == \
        [("ip1", "Create"), ("nsg", "Create")]


def test_failures_raise_the_errors_azure_gives(sdk, rg):
    deployments = sdk.deployments.deployments
    bad = template([{"type": f"{NET}/publicIPAddresses", "apiVersion": "2024-05-01", "name": "[oops()]",
                     "location": "westus"}])
    with pytest.raises(HttpResponseError) as err:
        deployments.begin_create_or_update(rg, "bad", Deployment(properties=DeploymentProperties(
            mode="Incremental", template=bad))).result()
    assert err.value.status_code == 400 and err.value.error.code == "InvalidTemplate"
    failing = template([{"type": "Microsoft.Azemu/gizmos", "apiVersion": "2024-01-01", "name": "g",
                         "location": "westus", "properties": {"breaks": True}}])
    with pytest.raises(HttpResponseError) as err:
        deployments.begin_create_or_update(rg, "fails", Deployment(properties=DeploymentProperties(
            mode="Incremental", template=failing))).result()
    assert err.value.error.code == "DeploymentFailed"
    assert err.value.error.details[0].code == "ResourceDeploymentFailure"
    assert deployments.get(rg, "fails").properties.provisioning_state == "Failed"
