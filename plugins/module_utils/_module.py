# Copyright (c) cloudlb.azure contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""AzureModule: the base every cloudlb.azure module is built on, and the one place a module exits.

Every module has one shape (docs/developing.md): ``main()`` builds the AzureModule, calls
``ensure_present`` or ``ensure_absent`` (or, for an info module, its read), which return a
Result or raise ModuleFailure, and ends in ``module.exit_with(result)`` or
``module.fail_with(failure)``. Nothing else exits.

Private to the collection: nothing outside cloudlb.azure may import it.
"""

from __future__ import annotations

import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.cloudlb.azure.plugins.module_utils._auth import AUTH_ARGUMENT_SPEC, AuthError, resolve_auth
from ansible_collections.cloudlb.azure.plugins.module_utils._clients import client_class, new_client, package_of
from ansible_collections.cloudlb.azure.plugins.module_utils._cloud import CloudError
from ansible_collections.cloudlb.azure.plugins.module_utils._diff import diff_result
from ansible_collections.cloudlb.azure.plugins.module_utils._errors import ModuleFailure
from ansible_collections.cloudlb.azure.plugins.module_utils._login import Login
from ansible_collections.cloudlb.azure.plugins.module_utils._tags import TAGS_ARGUMENT_SPEC, normalize_tags, tag_problems
from ansible_collections.cloudlb.azure.plugins.module_utils._wait import WAIT_ARGUMENT_SPEC, wait_for_poller, wait_until

# The options every module managing one resource of a resource group starts with.
RESOURCE_ARGUMENT_SPEC = dict(
    resource_group=dict(type="str", required=True),
    name=dict(type="str", required=True),
    state=dict(type="str", choices=["present", "absent"], default="present"),
    location=dict(type="str"),
)


class AzureModule(AnsibleModule):
    """An AnsibleModule with Azure authentication, lazily built SDK clients and shared helpers.

    A module passes only its own argument spec; the auth options are always merged in, the
    wait options with ``wait=True`` and the tags options with ``tags=True``. Nothing talks to
    Azure until the first ``client()`` call, so a module validates its options first.
    """

    def __init__(self, argument_spec, wait=False, tags=False, supports_check_mode=True, **kwargs):
        spec = dict(AUTH_ARGUMENT_SPEC)
        if wait:
            spec.update(WAIT_ARGUMENT_SPEC)
        if tags:
            spec.update(TAGS_ARGUMENT_SPEC)
        spec.update(argument_spec)
        super().__init__(argument_spec=spec, supports_check_mode=supports_check_mode, **kwargs)
        self._auth = None
        self._login = None
        self._cloud = None
        self._credential = None
        self._clients = {}
        if wait and self.params["wait_timeout"] <= 0:
            self.fail_json(msg=f"wait_timeout must be a positive number of seconds, got {self.params['wait_timeout']}")
        if tags:
            self.params["tags"] = normalize_tags(self.params["tags"])
            problems = tag_problems(self.params["tags"])
            if problems:
                self.fail_json(msg="Invalid tags: " + "; ".join(problems))

    @property
    def auth(self):
        """The resolved AuthSettings (source, subscription_id, client_id, secret, tenant, ...)."""
        if self._auth is None:
            try:
                self._auth = resolve_auth(self.params)
            except AuthError as exc:
                raise ModuleFailure(f"Cannot authenticate to Azure: {exc}") from exc
            if self._auth.secret:
                # A secret read from the environment or a profile is masked in every output too.
                self.no_log_values.add(self._auth.secret)
        return self._auth

    @property
    def subscription_id(self):
        return self.auth.subscription_id

    @property
    def login(self):
        """How this process logs in (Login): through the user's token cache unless token_cache is off."""
        if self._login is None:
            self._login = Login(self.auth, token_cache=self.params["token_cache"])
            if self._login.warning:
                self.warn(self._login.warning)
        return self._login

    @property
    def cloud(self):
        """The Cloud (resource_manager, login_endpoint, scope); an ARM URL's metadata document is
        read once per hour (with the token cache) or once per module run (without)."""
        if self._cloud is None:
            try:
                self._cloud = self.login.cloud
            except CloudError as exc:
                raise ModuleFailure(f"Cannot use cloud_environment: {exc}") from exc
            except ImportError as exc:
                raise ModuleFailure(missing_required_lib("azure-core"), exception=traceback.format_exc()) from exc
        return self._cloud

    @property
    def credential(self):
        if self._credential is None:
            cloud = self.cloud
            try:
                self._credential = self.login.credential(cloud)
            except ImportError as exc:
                raise ModuleFailure(missing_required_lib("azure-identity"), exception=traceback.format_exc()) from exc
            except ValueError as exc:
                raise ModuleFailure(f"Cannot build the Azure credential: {exc}") from exc
        return self._credential

    def client(self, name):
        """The SDK management client called ``name`` ("resource", "network", "compute"), built once.

        Its SDK package is imported only now, so a module pays only for the SDK it uses.
        """
        if name not in self._clients:
            try:
                client_class(name)
            except ImportError as exc:
                raise ModuleFailure(missing_required_lib(package_of(name)), exception=traceback.format_exc()) from exc
            self._clients[name] = new_client(name, self.credential, self.subscription_id, self.cloud)
        return self._clients[name]

    def secrets(self):
        """The secrets no output may show: the secret option and one read from the environment."""
        return [self.params.get("secret")] + ([self._auth.secret] if self._auth else [])

    def wait_for(self, poller, what):
        """Wait for an SDK poller as the wait/wait_timeout options say; None when not waiting."""
        return wait_for_poller(self, poller, what)

    def wait_until(self, check, what, interval=2.0):
        """Poll ``check()`` until truthy within wait_timeout (for states no SDK poller covers)."""
        return wait_until(self, check, what, interval=interval)

    def run(self, options, ensure):
        """The one boundary of every module: ``options(self)`` (validates the options, sends no
        request; OptionError otherwise) gives the task's spec, then ``ensure(self, spec)`` (or,
        with a dict, the function for the task's ``state``) gives a Result. Exits with it, or
        fails with the ModuleFailure either raised; nothing else in a module exits."""
        try:
            spec = options(self)
            act = ensure[self.params["state"]] if isinstance(ensure, dict) else ensure
            result = act(self, spec)
        except ModuleFailure as failure:
            self.fail_with(failure)
        self.exit_with(result)

    def exit_with(self, result):
        """exit_json with a Result: ``changed``, what it returns, and its diff in diff mode."""
        returned = dict(result.returned)
        if result.diff and self._diff:
            returned.update(diff_result(result.before, result.after))
        self.exit_json(changed=result.changed, **returned)

    def fail_with(self, failure):
        """fail_json with a ModuleFailure, every secret masked."""
        self.fail_json(**failure.fail_json_args(self.secrets()))
