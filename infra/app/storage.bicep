// One storage account for the Functions host (keys, leases, the deployment package) and the app passwords table.
// Shared keys are off: every caller authenticates with Microsoft Entra ID and is authorized by role (rbac.bicep).

@minLength(3)
@maxLength(24)
@description('Name of the storage account (globally unique, lowercase letters and digits).')
param name string

@description('Azure region.')
param location string

@description('Tags for the account.')
param tags object = {}

@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
])
@description('Redundancy of the account.')
param skuName string = 'Standard_LRS'

@description('Blob container that holds the deployment package of the Flex Consumption app.')
param deploymentContainerName string

@minLength(3)
@maxLength(63)
@description('Name of the table that holds the app passwords.')
param tableName string = 'AppPasswords'

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: skuName
  }
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    dnsEndpointType: 'Standard'
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    // Flex Consumption without virtual network integration reaches the account over its public endpoint;
    // access is still by Entra ID and role only.
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: 'Allow'
    }
  }

  resource blobServices 'blobServices' = {
    name: 'default'

    resource deploymentContainer 'containers' = {
      name: deploymentContainerName
      properties: {
        publicAccess: 'None'
      }
    }
  }

  resource tableServices 'tableServices' = {
    name: 'default'

    resource appPasswordsTable 'tables' = {
      name: tableName
    }
  }
}

output name string = storage.name
output blobEndpoint string = storage.properties.primaryEndpoints.blob
output queueEndpoint string = storage.properties.primaryEndpoints.queue
output tableEndpoint string = storage.properties.primaryEndpoints.table
output deploymentContainerName string = storage::blobServices::deploymentContainer.name
output tableName string = storage::tableServices::appPasswordsTable.name
