"""The ARM framework resource types plug into. What a type module imports:

    from azemu.arm import ResourceType, register, action, ArmError, in_use, Ctx, Res, COMPUTE

See emulator/docs/resource-types.md.
"""

from ..errors import ArmError, in_use
from .context import Ctx, Res, render
from .lro import COMPUTE, DEPLOYMENTS, NETWORK, RESOURCES, LroStyle, Operation
from .operations import Pending
from .registry import register
from .resource_type import CHILD_METHODS, READ_ONLY_METHODS, ResourceType, action

__all__ = ["ArmError", "in_use", "Ctx", "Res", "render", "COMPUTE", "DEPLOYMENTS", "NETWORK", "RESOURCES", "LroStyle",
           "Operation", "Pending", "register", "ResourceType", "action", "CHILD_METHODS",
           "READ_ONLY_METHODS"]
