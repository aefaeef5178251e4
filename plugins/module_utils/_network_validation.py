# Copyright (c) cloudlb.azure contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Checks the networking modules run on their options before any request, so that input
Azure would refuse fails at once with a message that says why; ``name_problem`` is the one name
check of every module (a resource group's rules are in _resource_group).

Each ``*_problem`` function returns a sentence (what is wrong) or None; each
``*_problems`` function returns a list of sentences. Pure functions, no Azure SDK.

Private to the collection: nothing outside cloudlb.azure may import it.
"""

from __future__ import annotations

import ipaddress
import re

# Azure's rule for Microsoft.Network names (VNets, subnets, NSGs, rules, public IPs, NICs):
# 1-80 word characters, '.', '-' and '_'; begins with a word character, ends with one or '_'.
NETWORK_NAME_RE = re.compile(r"^\w(?:[\w.-]{0,78}\w)?$")
NETWORK_NAME_RULES = ((NETWORK_NAME_RE, "is not valid: it may contain letters, digits, underscores, periods and hyphens,"
                       " must begin with a letter, digit or underscore and end with a letter, digit or underscore"),)
DOMAIN_LABEL_RE = re.compile(r"^[a-z][a-z0-9-]{1,61}[a-z0-9]$")
PORT_RANGE_RE = re.compile(r"^(\d{1,5})(?:-(\d{1,5}))?$")
SERVICE_TAG_RE = re.compile(r"^[A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z0-9]+)?$")

# The service tags of Azure's "Virtual network service tags" table, which a security rule may
# name alone or with a region (Storage.WestUS); any other name Azure refuses.
SERVICE_TAGS = frozenset(tag.lower() for tag in (
    "ActionGroup", "ApiManagement", "AppConfiguration", "AppService", "AppServiceManagement",
    "ApplicationInsightsAvailability", "AutonomousDevelopmentPlatform", "AzureActiveDirectory",
    "AzureActiveDirectoryDomainServices", "AzureAdvancedThreatProtection", "AzureArcInfrastructure",
    "AzureAttestation", "AzureBackup", "AzureBotService", "AzureCloud", "AzureCognitiveSearch",
    "AzureConnectors", "AzureContainerAppsService", "AzureContainerRegistry", "AzureCosmosDB",
    "AzureDataExplorerManagement", "AzureDataLake", "AzureDatabricks", "AzureDevOps",
    "AzureDevSpaces", "AzureDigitalTwins", "AzureEventGrid", "AzureFrontDoor.Backend",
    "AzureFrontDoor.FirstParty", "AzureFrontDoor.Frontend", "AzureHealthcareAPIs",
    "AzureInformationProtection", "AzureIoTHub", "AzureKeyVault", "AzureLoadBalancer",
    "AzureLoadTestingInstanceManagement", "AzureMachineLearning", "AzureMachineLearningInference",
    "AzureManagedGrafana", "AzureMonitor", "AzureOpenDatasets", "AzurePlatformDNS",
    "AzurePlatformIMDS", "AzurePlatformLKM", "AzureResourceManager", "AzureSentinel",
    "AzureSignalR", "AzureSiteRecovery", "AzureSphere", "AzureSpringCloud", "AzureStack",
    "AzureTrafficManager", "AzureUpdateDelivery", "AzureWebPubSub", "BatchNodeManagement",
    "ChaosStudio", "CognitiveServicesFrontend", "CognitiveServicesManagement", "DataFactory",
    "DataFactoryManagement", "Dynamics365ForMarketingEmail", "Dynamics365BusinessCentral",
    "EOPExchangeOnline", "EOPExternalPublishedIPs", "EventHub", "GatewayManager",
    "GuestAndHybridManagement", "HDInsight", "Internet", "KustoAnalytics", "LogicApps",
    "LogicAppsManagement", "M365ManagementActivityApi", "M365ManagementActivityApiWebhook",
    "Marketplace", "MicrosoftAzureFluidRelay", "MicrosoftCloudAppSecurity",
    "MicrosoftContainerRegistry", "MicrosoftDefenderForEndpoint",
    "MicrosoftPurviewPolicyDistribution", "OneDsCollector", "PowerBI", "PowerPlatformInfra",
    "PowerPlatformPlex", "PowerQueryOnline", "Scuba", "SerialConsole", "ServiceBus",
    "ServiceFabric", "Sql", "SqlManagement", "Storage", "StorageMover", "StorageSyncService",
    "VideoIndexer", "VirtualNetwork", "WindowsAdminCenter", "WindowsVirtualDesktop"
))

PRIORITY_MIN, PRIORITY_MAX = 100, 4096
IDLE_TIMEOUT_MIN, IDLE_TIMEOUT_MAX = 4, 30
DESCRIPTION_MAX = 140
# Azure keeps the first four addresses and the last one of every subnet.
RESERVED_PER_SUBNET = 5


def name_problem(name, what="name", shortest=1, longest=80, rules=NETWORK_NAME_RULES):
    """Why Azure would refuse ``name`` for the resource ``what`` names, or None: its length, then
    ``rules``, each (pattern, what a name that does not match it is told), in order. Lengths per
    Azure's "Naming rules and restrictions": 1-80 for Network names, 2-64 for a virtual network,
    1-90 for a resource group (_resource_group.name_problem)."""
    if not name:
        return f"the {what} cannot be empty"
    if len(name) > longest:
        return f"the {what} {name[:20]!r}... is longer than {longest} characters"
    if len(name) < shortest:
        return f"the {what} {name!r} is shorter than {shortest} characters"
    for pattern, complaint in rules:
        if not pattern.match(name):
            return f"the {what} {name!r} {complaint}"
    return None


def parse_cidr(text):
    """An ``ipaddress`` network for a CIDR prefix, or raise ValueError saying what is wrong."""
    if not isinstance(text, str) or "/" not in text:
        raise ValueError(f"{text!r} is not a CIDR prefix such as 10.0.0.0/24")
    try:
        return ipaddress.ip_network(text, strict=True)
    except ValueError:
        pass
    try:
        fixed = ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise ValueError(f"{text!r} is not a CIDR prefix such as 10.0.0.0/24") from None
    raise ValueError(f"{text!r} has host bits set; the prefix is {fixed}")


def cidr_problem(text):
    try:
        parse_cidr(text)
    except ValueError as exc:
        return str(exc)
    return None


def address_space_problems(prefixes):
    """Problems of a VNet's address space: empty, malformed or overlapping prefixes."""
    if not prefixes:
        return ["address_prefixes needs at least one prefix"]
    problems = []
    nets = []
    for text in prefixes:
        try:
            nets.append(parse_cidr(text))
        except ValueError as exc:
            problems.append(f"address_prefixes: {exc}")
    problems.extend(f"address_prefixes: {a} and {b} overlap" for a, b in _overlaps(nets))
    return problems


def subnet_problems(subnets, address_prefixes):
    """Problems of inline subnets: names, prefixes, containment in the VNet's space, overlaps.

    ``subnets`` are dicts with ``name`` and ``address_prefix``; ``address_prefixes`` is the
    VNet's address space (malformed entries are reported by address_space_problems).
    """
    problems = []
    spaces = []
    for text in address_prefixes or []:
        try:
            spaces.append(parse_cidr(text))
        except ValueError:
            continue
    seen_names = set()
    nets = []
    for subnet in subnets or []:
        name = subnet.get("name")
        problem = name_problem(name, "subnet name")
        if problem:
            problems.append(problem)
            continue
        if name.lower() in seen_names:
            problems.append(f"subnet {name!r} is listed twice")
            continue
        seen_names.add(name.lower())
        try:
            net = parse_cidr(subnet.get("address_prefix"))
        except ValueError as exc:
            problems.append(f"subnet {name!r}: {exc}")
            continue
        if net.num_addresses <= RESERVED_PER_SUBNET:
            problems.append(f"subnet {name!r}: {net} is too small, Azure reserves 5 addresses in every subnet")
        if spaces and not any(net.version == s.version and net.subnet_of(s) for s in spaces):
            problems.append(
                f"subnet {name!r}: {net} is outside the virtual network's address space"
                f" ({', '.join(str(s) for s in spaces)})"
            )
        nets.append((name, net))
    for (name_a, a), (name_b, b) in _pairs(nets):
        if a.version == b.version and a.overlaps(b):
            problems.append(f"subnets {name_a!r} ({a}) and {name_b!r} ({b}) overlap")
    return problems


def _pairs(items):
    for i, first in enumerate(items):
        for second in items[i + 1:]:
            yield first, second


def _overlaps(nets):
    return [(a, b) for a, b in _pairs(nets) if a.version == b.version and a.overlaps(b)]


def ip_address_problem(text, what="address"):
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return f"{what} {text!r} is not an IP address"
    return None


def priority_problem(priority):
    if not PRIORITY_MIN <= priority <= PRIORITY_MAX:
        return f"priority {priority} is out of range; Azure allows {PRIORITY_MIN} to {PRIORITY_MAX}"
    return None


def port_range_problem(value):
    """``*``, a port (``80``) or a range (``1000-2000``) within 0-65535; None when valid."""
    text = str(value)
    if text == "*":
        return None
    match = PORT_RANGE_RE.match(text)
    if not match:
        return f"port range {text!r} is not '*', a port such as 80 or a range such as 1000-2000"
    low = int(match.group(1))
    high = int(match.group(2)) if match.group(2) else low
    if high > 65535:
        return f"port range {text!r} goes beyond 65535"
    if low > high:
        return f"port range {text!r} starts after it ends"
    return None


def address_prefix_problem(value):
    """An NSG rule's address: ``*``, an IP address, a CIDR prefix or a service tag such as
    ``Internet``, ``VirtualNetwork`` or ``Storage.WestEurope``."""
    if value == "*":
        return None
    if isinstance(value, str) and SERVICE_TAG_RE.match(value):
        base, _dot, region = value.lower().rpartition(".")
        if value.lower() in SERVICE_TAGS or (base in SERVICE_TAGS and region.isalnum()):
            return None
        return (f"address prefix {value!r} is not '*', an IP address, a CIDR prefix or one of Azure's service tags"
                " (such as Internet, VirtualNetwork, AzureLoadBalancer, Storage or Storage.WestEurope)")
    if isinstance(value, str) and "/" in value:
        return cidr_problem(value)
    if ip_address_problem(value) is None:
        return None
    return f"address prefix {value!r} is not '*', an IP address, a CIDR prefix or a service tag"


def rule_problems(rules):
    """Problems of NSG rules (dicts with the security_group module's rule options)."""
    problems = []
    names = set()
    taken = {}
    for rule in rules or []:
        name = rule.get("name")
        problem = name_problem(name, "rule name")
        if problem:
            problems.append(problem)
            continue
        if name.lower() in names:
            problems.append(f"rule {name!r} is listed twice")
        names.add(name.lower())
        where = f"rule {name!r}: "
        priority = rule.get("priority")
        if priority is None:
            problems.append(where + "priority is required")
        else:
            problem = priority_problem(priority)
            if problem:
                problems.append(where + problem)
            key = (rule.get("direction") or "").lower(), priority
            if key in taken:
                problems.append(
                    f"rules {taken[key]!r} and {name!r} have the same priority {priority} and direction"
                    f" {rule.get('direction')}; Azure needs each priority once per direction"
                )
            else:
                taken[key] = name
        for field in ("source_port_ranges", "destination_port_ranges"):
            for value in rule.get(field) or []:
                problem = port_range_problem(value)
                if problem:
                    problems.append(where + problem)
        for field in ("source_address_prefixes", "destination_address_prefixes"):
            for value in rule.get(field) or []:
                problem = address_prefix_problem(value)
                if problem:
                    problems.append(where + problem)
        description = rule.get("description")
        if description and len(description) > DESCRIPTION_MAX:
            problems.append(where + f"description is longer than {DESCRIPTION_MAX} characters")
    return problems


def idle_timeout_problem(minutes):
    if minutes is not None and not IDLE_TIMEOUT_MIN <= minutes <= IDLE_TIMEOUT_MAX:
        return f"idle_timeout {minutes} is out of range; Azure allows {IDLE_TIMEOUT_MIN} to {IDLE_TIMEOUT_MAX} minutes"
    return None


def domain_name_label_problem(label):
    if label and not DOMAIN_LABEL_RE.match(label):
        return (
            f"domain_name_label {label!r} is not valid: 3 to 63 lower-case letters, digits and hyphens,"
            " starting with a letter and not ending with a hyphen"
        )
    return None
