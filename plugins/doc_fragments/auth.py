# Copyright (c) cloudlb.azure contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # Authentication options shared by every cloudlb.azure module.
    DOCUMENTATION = r"""
options:
  auth_source:
    description:
      - Where the credentials come from.
      - V(auto) takes the first of these that applies.
        First, a profile of the credentials file, when O(profile) or E(AZURE_PROFILE) is set.
        Then a service principal from the module options and the environment, when a client ID
        and a secret are found there (an option wins over its environment variable).
        Then the V(default) profile of the credentials file, when that file exists.
        Then the Azure CLI, when C(az) is installed. Last, managed identity.
      - V(env) uses a service principal from the module options and the environment variables
        E(AZURE_CLIENT_ID), E(AZURE_SECRET) (or E(AZURE_CLIENT_SECRET)),
        E(AZURE_TENANT) (or E(AZURE_TENANT_ID)) and E(AZURE_SUBSCRIPTION_ID), the names the
        AWX and Automation Controller "Microsoft Azure Resource Manager" credential injects.
      - V(credential_file) reads the profile O(profile) (default V(default)) of the INI file
        C(~/.azure/credentials), or of the file named by E(AZURE_CREDENTIALS_FILE); its keys are
        C(subscription_id), C(client_id), C(secret), C(tenant) and optionally C(cloud_environment).
        Module options override the keys of the file; environment variables do not.
      - V(cli) uses the account the Azure CLI is logged in with (C(az login)); the subscription
        defaults to the CLI's default subscription.
      - V(msi) uses the managed identity of the Azure VM or container the module runs on;
        O(client_id) selects a user-assigned identity; O(subscription_id) is required.
      - Can also be set with the environment variable E(ANSIBLE_AZURE_AUTH_SOURCE).
    type: str
    choices: [auto, env, credential_file, cli, msi]
    default: auto
  subscription_id:
    description:
      - The Azure subscription to manage.
      - Falls back to E(AZURE_SUBSCRIPTION_ID) (not with O(auth_source=credential_file)).
    type: str
  client_id:
    description:
      - The application (client) ID of the service principal, or with O(auth_source=msi) the
        client ID of a user-assigned managed identity.
      - Falls back to E(AZURE_CLIENT_ID) (not with O(auth_source=credential_file)).
    type: str
  secret:
    description:
      - The client secret of the service principal.
      - Falls back to E(AZURE_SECRET), then E(AZURE_CLIENT_SECRET) (not with
        O(auth_source=credential_file)).
      - Never logged, and masked in every message the module returns.
    type: str
  tenant:
    description:
      - The tenant (directory) ID of the service principal.
      - Falls back to E(AZURE_TENANT), then E(AZURE_TENANT_ID) (not with
        O(auth_source=credential_file)).
    type: str
  profile:
    description:
      - The section of the credentials file to use; setting it selects
        O(auth_source=credential_file) when O(auth_source=auto).
      - Falls back to E(AZURE_PROFILE).
    type: str
  cloud_environment:
    description:
      - The Azure cloud to talk to. V(AzureCloud) (the default), V(AzureChinaCloud),
        V(AzureUSGovernment), or the https URL of an Azure Resource Manager endpoint such as
        Azure Stack Hub's C(https://management.local.azurestack.external) or a local emulator.
      - For a URL, the module reads C(<url>/metadata/endpoints?api-version=2022-09-01) and
        authenticates against its C(authentication.loginEndpoint) for the audience
        C(authentication.audiences[0]). The certificate is checked against the system trust
        store, or the CA bundle named by E(REQUESTS_CA_BUNDLE).
      - Falls back to E(AZURE_CLOUD_ENVIRONMENT), then to the C(cloud_environment) key of the
        profile with O(auth_source=credential_file).
    type: str
  token_cache:
    description:
      - Whether the module processes of a user share their login, so that a playbook run logs in
        once rather than once per task. With V(true), a service principal's access tokens are kept
        in azure-identity's persistent token cache, and the metadata document of an ARM URL
        O(cloud_environment) for an hour; with V(false) every module run reads the metadata
        document (for an ARM URL), discovers the authority and requests a token.
      - The cache lives in C(~/.IdentityService/cloudlb.azure/), a directory only its user can
        enter (0700), as files only that user can read (0600), or encrypted where the platform can
        (Windows, macOS Keychain, libsecret). Each user of a controller has a cache of their own;
        on AWX and Automation Controller every job runs in its own container and home, so the
        cache lives as long as the job.
      - A cache belongs to one client ID, tenant, authority and secret; no secret is written, only
        a hash of it names the file. A different secret never sees a token another secret got, so
        a wrong or revoked secret fails as it would without a cache. A token is used until five
        minutes before it expires, then requested again.
      - A module run whose login fails on a cached metadata document reads the document again,
        and logs in once more if it changed.
      - The Azure CLI (O(auth_source=cli)) and managed identity (O(auth_source=msi)) keep no token
        here; the metadata document is cached for them too.
      - Can also be set with the environment variable E(ANSIBLE_AZURE_TOKEN_CACHE).
    type: bool
    default: true
requirements:
  - python >= 3.9
  - azure-identity >= 1.27.0
notes:
  - Authentication is checked on the first request to Azure, after the module options have
    been validated.
seealso:
  - name: AWX Microsoft Azure Resource Manager credential
    description: The environment variables it injects are the fallbacks of these options.
    link: https://docs.ansible.com/automation-controller/latest/html/userguide/credentials.html#microsoft-azure-resource-manager
"""
