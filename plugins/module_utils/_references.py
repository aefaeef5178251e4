# Copyright (c) cloudlb.azure contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a write refers to, read before it.

Azure refuses a write that refers to a resource that does not exist (NotFound,
InvalidResourceReference) or that is in another region than the resource written
(InvalidResourceReference: "make sure ... both resources are in the same region"). A module
reads each referenced resource once, before its first write, and fails naming the option, so
that bad input never reaches Azure as a write.

Private to the collection: nothing outside cloudlb.azure may import it.
"""

from __future__ import annotations

from ansible_collections.cloudlb.azure.plugins.module_utils._errors import HttpResponseError, azure_call
from ansible_collections.cloudlb.azure.plugins.module_utils._ids import name_of, parse_id, resource_id
from ansible_collections.cloudlb.azure.plugins.module_utils._resource_group import normalize_location

# The api-version of a GET by id of a Microsoft.Network resource (any version of the last years
# answers the fields read here).
NETWORK_API_VERSION = "2024-05-01"


def read_by_id(module, client, rid, what, api_version=NETWORK_API_VERSION):
    """Azure's JSON of the resource ``rid``, or None when it does not exist: a GET through
    ``client``'s pipeline (its credential, endpoint and retries), so that no other SDK need be
    imported for it."""
    from azure.core.rest import HttpRequest

    def get():
        response = client.send_request(HttpRequest("GET", f"{rid}?api-version={api_version}"))
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise HttpResponseError(response=response)
        return response.json()

    return azure_call(f"Failed to read {what}", get)


def top_level(rid):
    """The id of the resource ``rid`` is, or is a child of."""
    parts = parse_id(rid)
    return resource_id(parts["subscription"], parts["resource_group"], parts["type"], parts["name"],
                       namespace=parts["namespace"])


def child(doc, rid):
    """The part of ``doc`` (a top-level resource's JSON) that ``rid`` names: ``doc`` itself, or
    a child such as a subnet or a backend pool; None when it has no such child."""
    node = doc
    for collection, name in parse_id(rid)["children"]:
        items = ((node or {}).get("properties") or {}).get(collection) or []
        node = next((item for item in items if (item.get("name") or "").lower() == name.lower()), None)
    return node


class References:
    """The resources a write refers to, each top-level resource read once."""

    def __init__(self, module, client):
        self.module = module
        self.client = client
        self._read = {}

    def resource(self, rid):
        """Azure's JSON of the top-level resource of ``rid``, or None when it does not exist."""
        top = top_level(rid)
        if top.lower() not in self._read:
            self._read[top.lower()] = read_by_id(self.module, self.client, top, name_of(top))
        return self._read[top.lower()]

    def has_read(self, rid):
        """Whether resource() answers ``rid`` without a request (its top-level resource was read)."""
        return top_level(rid).lower() in self._read

    def problems(self, refs, location=None, noun=None):
        """Why Azure would refuse the references ``refs``, [(option, resource id, what)], of the
        ``noun`` to be in ``location``: each must exist (a child in its parent) and, with
        ``location``, be in that region. Each problem starts with the option it comes from.

        Under check mode a missing reference is a warning, not a problem: an earlier task of the
        same run, planned but not made, may create it (site.yml --check on an empty subscription)."""
        problems = []
        for option, rid, what in refs:
            doc = self.resource(rid)
            if child(doc, rid) is None:
                missing = f"{option}: {what} {rid} does not exist"
                if self.module.check_mode:
                    self.module.warn(f"{missing} yet; the write fails unless an earlier task creates it")
                else:
                    problems.append(missing)
            elif location and normalize_location(doc.get("location")) != normalize_location(location):
                problems.append(f"location: the {noun} is to be in {location}, but {what} {name_of(rid)} is in"
                                f" {doc.get('location')}; Azure needs the two in one region")
        return problems
