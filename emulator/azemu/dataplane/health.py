"""`POST .../loadBalancers/{lb}/loadBalancingRules/{rule}/health`: the rule's backends as its
probe sees them. Long-running, as in Azure: 202 with `Azure-AsyncOperation` and `Location`;
the Location URL answers the `LoadBalancerHealthPerRule` body once the operation is done.
The body is the probes' view when the request arrived.

The Microsoft.Network provider defines the rule type; the data plane adds this action to it
when it starts, since only the data plane knows the answer.
"""

from __future__ import annotations

from ..arm import registry
from ..arm.resource_type import ActionSpec
from .engine import APP_KEY

RULE_TYPE = "Microsoft.Network/loadBalancers/loadBalancingRules"


def _begin(rtype, ctx, res, body):
    return ctx.request.app[APP_KEY].rule_health(res.id)


def _done(rtype, ctx, res, state):
    return state


HEALTH = ActionSpec("health", "POST", True, _begin, read_only=True)
HEALTH.finish = _done


def install() -> bool:
    """Add the action to the rule type; False when that type is not registered."""
    rtype = registry.get(RULE_TYPE)
    if rtype is None:
        return False
    rtype.actions[HEALTH.name] = HEALTH
    return True
