// App passwords service: everything it needs in one resource group, deployable with `azd up`.
// Every connection uses the app's user-assigned managed identity; no template reads or emits a key.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment (AZURE_ENV_NAME). Names the resource group and seeds the token that keeps resource names unique.')
param environmentName string

@minLength(1)
@description('Azure region for every resource. It must offer the Flex Consumption plan: az functionapp list-flexconsumption-locations.')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Object id of the user or service principal running the deployment (azd sets AZURE_PRINCIPAL_ID). It gets data access to the app passwords table and the deployment container, for troubleshooting. Empty grants nothing.')
param principalId string = ''

@description('Name of the resource group to create. Empty means rg-<environmentName>.')
param resourceGroupName string = ''

@description('Microsoft Entra tenant (id) that issues the access tokens portal frontends send. Empty means the tenant of the target subscription.')
param entraTenantId string = ''

@minLength(1)
@description('Application (client) id of the app registration that exposes the API. Access tokens in the v2 format carry it as their audience.')
param apiClientId string

@description('Application ID URI of that app registration, the resource portal frontends request tokens for (e.g. api://app-passwords.contoso.com). Access tokens in the v1 format carry it as their audience. Empty means api://<apiClientId>.')
param apiAudience string = ''

@secure()
@minLength(32)
@metadata({ azd: { type: 'generate', config: { length: 48, noSpecial: true } } })
@description('Secret that keys verify throttling, kept out of the table (APP_PASSWORDS_THROTTLE_KEY). azd generates one at the first deployment and keeps it in the environment; changing it only resets throttling counts.')
param throttleKey string

@description('Origins of further portal frontends allowed to call the user endpoints from a browser (CORS), e.g. https://admin.contoso.com. The self-service page deployed here is always allowed. Exact origins only; an entry may also be a comma-separated list.')
param portalOrigins string[] = []

@description('Application (client) id of the self-service page\'s app registration (a single-page application whose redirect URI is the page\'s URL). The page reads it from its config.json; empty leaves the page unable to sign anybody in, and azd refuses to deploy it.')
param portalClientId string = ''

@allowed([
  'centralus'
  'eastasia'
  'eastus2'
  'westeurope'
  'westus2'
])
@description('Region of the self-service page\'s Static Web App (offered in few regions; the page is served worldwide).')
param portalLocation string = 'westeurope'

@description('Tenant policy "allow users to create app passwords". When false nobody can create or manage app passwords, and the existing ones keep working for sign-in.')
param appPasswordsAllowed bool = true

@minValue(1)
@maxValue(99)
@description('Most app passwords one user may hold. At most 99: deleting all of a user\'s app passwords is one transaction of at most 100 operations.')
param maxAppPasswordsPerUser int = 40

@minValue(1)
@maxValue(1000)
@description('Most instances the Flex Consumption plan may scale the function app out to.')
param maximumInstanceCount int = 100

@allowed([
  512
  2048
  4096
])
@description('Memory of each function app instance, in MB. Every concurrent verify holds one argon2 hash (19 MiB by default).')
param instanceMemoryMB int = 2048

@minLength(3)
@maxLength(63)
@description('Name of the table that holds the app passwords.')
param appPasswordsTableName string = 'AppPasswords'

@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
])
@description('Redundancy of the storage account that holds the app passwords. Zone-redundant kinds are not offered in every region.')
param storageSkuName string = 'Standard_LRS'

var abbrs = loadJsonContent('abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}

var tenantId = empty(entraTenantId) ? tenant().tenantId : entraTenantId
// Entra ID signs v1 and v2 access tokens with the same keys but names a different issuer in each; accept both so
// the app registration's requestedAccessTokenVersion does not matter.
var authIssuers = [
  '${environment().authentication.loginEndpoint}${tenantId}/v2.0'
  'https://sts.windows.net/${tenantId}/'
]
var authJwksUri = '${environment().authentication.loginEndpoint}${tenantId}/discovery/v2.0/keys'
var apiIdentifierUri = empty(apiAudience) ? 'api://${apiClientId}' : apiAudience
var authAudiences = [
  apiIdentifierUri
  apiClientId
]
// azd passes one string (APP_PASSWORDS_PORTAL_ORIGINS) inside the array, possibly comma-separated and possibly empty.
var portalOriginEntries = flatten(map(portalOrigins, entry => split(entry, ',')))
var extraCorsOrigins = filter(map(portalOriginEntries, origin => trim(origin)), origin => !empty(origin))

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: !empty(resourceGroupName) ? resourceGroupName : '${abbrs.resourcesResourceGroups}${environmentName}'
  location: location
  tags: tags
}

module identity 'app/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: '${abbrs.managedIdentityUserAssignedIdentities}app-passwords-${resourceToken}'
    location: location
    tags: tags
  }
}

module storage 'app/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: '${abbrs.storageStorageAccounts}${resourceToken}'
    location: location
    tags: tags
    skuName: storageSkuName
    deploymentContainerName: 'app-package-${resourceToken}'
    tableName: appPasswordsTableName
  }
}

module monitoring 'app/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: '${abbrs.operationalInsightsWorkspaces}${resourceToken}'
    applicationInsightsName: '${abbrs.insightsComponents}${resourceToken}'
    location: location
    tags: tags
  }
}

module rbac 'app/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  params: {
    storageAccountName: storage.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    identityPrincipalId: identity.outputs.principalId
    deployerPrincipalId: principalId
  }
}

module web 'app/web.bicep' = {
  name: 'web'
  scope: rg
  params: {
    name: '${abbrs.webStaticSites}app-passwords-${resourceToken}'
    location: portalLocation
    tags: tags
  }
}

module api 'app/api.bicep' = {
  name: 'api'
  scope: rg
  // The host reaches its storage with the identity as soon as it starts, so grant the roles first.
  dependsOn: [
    rbac
  ]
  params: {
    name: '${abbrs.webSitesFunctions}app-passwords-${resourceToken}'
    planName: '${abbrs.webServerFarms}${resourceToken}'
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    deploymentContainerName: storage.outputs.deploymentContainerName
    tableName: storage.outputs.tableName
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    authIssuers: authIssuers
    authAudiences: authAudiences
    authJwksUri: authJwksUri
    throttleKey: throttleKey
    // The self-service page is always allowed; union() also drops a duplicate when it is listed again.
    corsOrigins: union([web.outputs.origin], extraCorsOrigins)
    appPasswordsAllowed: appPasswordsAllowed
    maxAppPasswordsPerUser: maxAppPasswordsPerUser
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
  }
}

output AZURE_LOCATION string = location
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = api.outputs.name
output API_BASE_URL string = api.outputs.baseUrl
output AZURE_TABLE_ENDPOINT string = storage.outputs.tableEndpoint
output AZURE_TABLE_NAME string = storage.outputs.tableName
output PORTAL_URL string = web.outputs.origin
output AZURE_STATIC_WEB_APP_NAME string = web.outputs.name
// What the web service's predeploy hook writes into the page's config.json (dev/writePortalConfig.ts).
output PORTAL_CLIENT_ID string = portalClientId
output PORTAL_TENANT_ID string = tenantId
output PORTAL_API_SCOPE string = '${apiIdentifierUri}/AppPasswords.Manage'
