"""The service tags a security rule may name in place of an address prefix.

The base names of Azure's "Virtual network service tags" table (learn.microsoft.com,
virtual-network/service-tags-overview), which NSG rules accept as a source or destination,
alone or with a region (`Storage.WestUS`, `AzureCloud.eastus`). Anything else that is not an
address or a prefix Azure refuses with `SecurityRuleInvalidAddressPrefix`.
"""

from __future__ import annotations

SERVICE_TAGS = frozenset(t.lower() for t in (
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


def known_tag(value: str) -> bool:
    """`Storage`, `storage.westus`, `AzureFrontDoor.Backend`: a known tag, alone or regional."""
    name = value.lower()
    if name in SERVICE_TAGS:
        return True
    base, _, region = name.rpartition(".")
    return bool(base) and base in SERVICE_TAGS and region.isalnum()
