"""The least time site.yml can take on Azure: its resources' dependency graph, each resource
taking what azemu's latency profile says Azure takes (emulator/azemu/arm/latency.py), the
independent ones at the same time. Nothing a client does can beat it; process start-up,
Python and polling all come on top.
"""

from __future__ import annotations

from azemu.arm import latency

# What site.yml makes, what each needs first, and the profile's operation for it (None: Azure
# answers at once, no operation). The load balancer is one PUT with its frontend, pool, probe
# and rule, as Azure allows; each NIC and each VM has its own operation, side by side.
SITE_GRAPH: dict[str, tuple[tuple[str, ...], str | None]] = {
    "resource group": ((), None),
    "virtual network": (("resource group",), "Microsoft.Network/virtualNetworks"),
    "network security group": (("resource group",), "Microsoft.Network/networkSecurityGroups"),
    "public IP": (("resource group",), "Microsoft.Network/publicIPAddresses"),
    "availability set": (("resource group",), None),
    "load balancer": (("public IP",), "Microsoft.Network/loadBalancers"),
    "NICs": (("virtual network", "network security group", "load balancer"), "Microsoft.Network/networkInterfaces"),
    "VMs": (("NICs", "availability set"), "Microsoft.Compute/virtualMachines"),
}


def duration(full_type: str | None, scale: float, operation: str = "create") -> float:
    return 0.0 if full_type is None else latency.figure(full_type, operation).seconds * scale


def seen_done(full_type: str | None, scale: float, operation: str = "create", after_write: bool = False) -> float:
    """When a client that polls as azure-core does (once at once, then after each answer's
    Retry-After) first sees the operation done; `after_write`: a client that waits the write's
    Retry-After before its first poll (cloudlb.azure's _first_poll), then as azure-core."""
    took = duration(full_type, scale, operation)
    if full_type is None or took == 0:
        return 0.0
    polls = latency.retry_after_figure(full_type, operation)
    at = latency.scaled_retry_after(polls.write, scale) if after_write else 0.0
    wait = polls.first_poll
    while at < took:
        at += latency.scaled_retry_after(wait, scale)
        wait = polls.later_polls
    return at


def seen_done_after_write(full_type: str | None, scale: float, operation: str = "create") -> float:
    return seen_done(full_type, scale, operation, after_write=True)


def finish_times(scale: float = 1.0, graph=SITE_GRAPH, cost=duration) -> dict[str, float]:
    """When each node is done at the earliest, starting at 0, each taking `cost`."""
    done: dict[str, float] = {}

    def finish(node: str) -> float:
        if node not in done:
            needs, full_type = graph[node]
            done[node] = max((finish(n) for n in needs), default=0.0) + cost(full_type, scale)
        return done[node]

    for node in graph:
        finish(node)
    return done


def lower_bound(scale: float = 1.0) -> float:
    return max(finish_times(scale).values())


def retry_after_bound(scale: float = 1.0, cost=seen_done) -> float:
    """The lower bound for a client that waits for each operation as its Retry-After says
    (``cost=seen_done_after_write``: the write's Retry-After too)."""
    return max(finish_times(scale, cost=cost).values())


def critical_path(scale: float = 1.0, graph=SITE_GRAPH, cost=duration) -> list[str]:
    """The nodes of a longest path, first to last."""
    done = finish_times(scale, graph, cost)
    node = max(done, key=done.get)
    path = [node]
    while graph[node][0]:
        node = max(graph[node][0], key=done.get)
        path.append(node)
    return list(reversed(path))


def rollout_vm_bound(probe_interval: float, probe_threshold: int, scale: float, time_scale: float,
                     drain: float = 0.0, cost=duration) -> float:
    """The least one VM's turn in a rolling maintenance takes: the probe sees it down (its
    threshold of failed probes), its established connections drain, it restarts (the profile's
    restart), the probe sees it up again. With ``cost=seen_done``, the restart is seen done at
    the first poll after it ends, as a client that honours its Retry-After sees it."""
    probe = probe_threshold * probe_interval / time_scale
    return probe + drain + cost("Microsoft.Compute/virtualMachines", scale, "restart") + probe
