"""Azure public-cloud region names. A location outside this list is refused as Azure refuses it,
so a typo in a playbook fails against azemu too. Display names ("East US 2") are accepted and
stored normalised ("eastus2")."""

REGIONS = frozenset("""
eastus eastus2 southcentralus westus2 westus3 australiaeast southeastasia northeurope swedencentral
uksouth westeurope centralus southafricanorth centralindia eastasia japaneast koreacentral canadacentral
francecentral germanywestcentral italynorth norwayeast polandcentral spaincentral switzerlandnorth
mexicocentral uaenorth brazilsouth israelcentral qatarcentral northcentralus westus japanwest
westcentralus southafricawest australiacentral australiacentral2 australiasoutheast koreasouth
southindia westindia canadaeast francesouth germanynorth norwaywest switzerlandwest ukwest uaecentral
brazilsoutheast newzealandnorth indonesiacentral malaysiawest chilecentral austriaeast belgiumcentral
denmarkeast jioindiawest jioindiacentral swedensouth centraluseuap eastus2euap
""".split())
