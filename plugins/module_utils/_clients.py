# Copyright (c) cloudlb.azure contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which Azure SDK client class serves which short name; imported only when asked for.

Private to the collection: nothing outside cloudlb.azure may import it.
"""

from __future__ import annotations

import importlib

from ansible_collections.cloudlb.azure.plugins.module_utils._first_poll import FirstPollPolicy
from ansible_collections.cloudlb.azure.plugins.module_utils._retries import TransientRetryPolicy

# name: (Python module, client class, PyPI package)
SDK_CLIENTS = {
    "resource": ("azure.mgmt.resource.resources", "ResourceManagementClient", "azure-mgmt-resource"),
    "network": ("azure.mgmt.network", "NetworkManagementClient", "azure-mgmt-network"),
    "compute": ("azure.mgmt.compute", "ComputeManagementClient", "azure-mgmt-compute"),
}

USER_AGENT = "ansible-cloudlb.azure"


def client_class(name):
    """The client class for ``name``; ImportError when its SDK is not installed."""
    if name not in SDK_CLIENTS:
        raise ValueError(f"unknown Azure client {name!r}; known: {', '.join(SDK_CLIENTS)}")
    module_name, class_name, _package = SDK_CLIENTS[name]
    return getattr(importlib.import_module(module_name), class_name)


def package_of(name):
    return SDK_CLIENTS[name][2]


def new_client(name, credential, subscription_id, cloud):
    """The SDK client ``name`` for ``cloud`` (a _cloud.Cloud); ImportError without its SDK.

    The one place clients are built, for the modules (AzureModule.client) and the inventory
    plugin; each retries as _retries says and polls an operation first when its write's
    Retry-After says (_first_poll).
    """
    return client_class(name)(
        credential,
        subscription_id,
        base_url=cloud.resource_manager,
        credential_scopes=[cloud.scope],
        user_agent=USER_AGENT,
        retry_policy=TransientRetryPolicy(),
        per_call_policies=[FirstPollPolicy()],
    )
