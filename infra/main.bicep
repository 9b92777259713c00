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

@description('Microsoft Entra tenant (id) that issues the access tokens portal frontends send, with registrations of your own (apiClientId). Empty means the tenant of the target subscription, which is also where this template registers the applications when apiClientId is empty.')
param entraTenantId string = ''

@description('Application (client) id of an app registration of your own that exposes the API ("Bring your own registrations" in README). Empty: this template registers the API and the page in the subscription\'s tenant (app/entra.bicep). Access tokens in the v2 format carry it as their audience.')
param apiClientId string = ''

@description('Application ID URI of that app registration, the resource portal frontends request tokens for (e.g. api://app-passwords.contoso.com). Access tokens in the v1 format carry it as their audience. Empty means api://<apiClientId>.')
param apiAudience string = ''

@secure()
@minLength(32)
@metadata({ azd: { type: 'generate', config: { length: 48, noSpecial: true } } })
@description('Secret that keys verify throttling, kept out of the table (APP_PASSWORDS_THROTTLE_KEY). azd generates one at the first deployment and keeps it in the environment; the deployment stores it in the key vault, which the app setting refers to. Changing it only resets throttling counts.')
param throttleKey string

@description('Origins of further portal frontends allowed to call the user endpoints from a browser (CORS), e.g. https://admin.contoso.com. The self-service page deployed here is always allowed. Exact origins only; an entry may also be a comma-separated list.')
param portalOrigins string[] = []

@description('With registrations of your own (apiClientId): application (client) id of the self-service page\'s app registration (a single-page application whose redirect URI is the page\'s URL). The page reads it from its config.json; empty leaves the page unable to sign anybody in, and azd refuses to deploy it. Ignored when this template registers the page.')
param portalClientId string = ''

@description('Further redirect URIs of the page\'s registration, when this template registers it: a custom domain\'s origin, or http://localhost:5173 for `npm run dev` against this deployment. The Static Web App\'s origin is always in. An entry may also be a comma-separated list.')
param portalRedirectUris string[] = []

@description('Object ids of the users or groups who get the app role AppPasswords.Admin, when this template registers the API. An entry may also be a comma-separated list. Empty assigns nobody (assign them in the Entra admin center).')
param adminPrincipalIds string[] = []

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
@description('Name of the table that holds the app passwords (APP_PASSWORDS_TABLE_NAME).')
param appPasswordsTableName string = 'AppPasswords'

@minLength(1)
@description('Delegated scope the user endpoints require in access tokens (AUTH_REQUIRED_SCOPE): the scope this template\'s API registration exposes, or the one your own exposes. The page requests <application ID URI>/<scope>.')
param authRequiredScope string = 'AppPasswords.Manage'

@minValue(0)
@maxValue(365)
@description('Tenant policy (APP_PASSWORDS_MAX_LIFETIME_DAYS): longest lifetime of a new app password in days, and the lifetime of one created without. 0: no limit.')
param maxAppPasswordLifetimeDays int = 0

@minValue(0)
@maxValue(3650)
@description('Tenant policy (APP_PASSWORDS_DELETE_UNUSED_AFTER_DAYS): the daily clean-up deletes app passwords unused for this many days. 0: never.')
param deleteUnusedAppPasswordsAfterDays int = 0

@minValue(0)
@maxValue(30)
@description('How old an instance\'s copy of the saved tenant policy may get, in seconds (APP_PASSWORDS_POLICY_REFRESH_SECONDS): every instance applies an administrator\'s change within it. 0: read at every decision.')
param policyRefreshSeconds int = 30

@minValue(8192)
@maxValue(4194304)
@description('argon2id memory cost of new hashes, in KiB (ARGON2_MEMORY_KIB; OWASP minimum 19456). Each concurrent verify holds this much: mind instanceMemoryMB.')
param argon2MemoryKib int = 19456

@minValue(1)
@maxValue(100)
@description('argon2id iterations of new hashes (ARGON2_TIME_COST; OWASP minimum 2 at 19456 KiB).')
param argon2TimeCost int = 2

@minValue(1)
@maxValue(16)
@description('argon2id lanes of new hashes (ARGON2_PARALLELISM).')
param argon2Parallelism int = 1

@minValue(100)
@maxValue(60000)
@description('Time budget of one call to Table Storage, in milliseconds (STORAGE_TIMEOUT_MS); past it the request answers 503.')
param storageTimeoutMs int = 2000

@minValue(0)
@maxValue(1000000)
@description('Successes (and login names) one instance of verify remembers so a repeat login skips argon2 (REPEAT_LOGIN_MEMORY_ENTRIES). 0 turns the memory off.')
param repeatLoginMemoryEntries int = 10000

@minValue(0)
@maxValue(86400)
@description('How long verify remembers a success, in seconds (REPEAT_LOGIN_MEMORY_SECONDS). 0: off.')
param repeatLoginMemorySeconds int = 3600

@minValue(0)
@maxValue(3600)
@description('How long verify remembers a login name\'s user id, in seconds (LOGIN_NAME_MEMORY_SECONDS). 0: off.')
param loginNameMemorySeconds int = 300

@description('Notices\' own sender domain (NOTICES_CUSTOM_DOMAIN), verified in the Email service; empty: an Azure-managed domain.')
param noticesCustomDomain string = ''

@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
])
@description('Redundancy of the storage account that holds the app passwords. Zone-redundant kinds are not offered in every region.')
param storageSkuName string = 'Standard_LRS'

// The tenant's mail settings: settings of the self-service page, not of the function app. They come back out as
// outputs named PORTAL_<setting>, which the web service's predeploy hook writes into the page's config.json
// (dev/writePortalConfig.ts checks them).
@description('IMAP server host name people\'s mail apps connect to, e.g. imap.contoso.com. Empty: no IMAP in the set-up step. (MAIL_IMAP_HOST)')
param mailImapHost string = ''

@description('IMAP port; empty: 993 with ssl, 143 with starttls. (MAIL_IMAP_PORT)')
param mailImapPort string = ''

@description('IMAP connection security: ssl or starttls; empty: ssl. (MAIL_IMAP_SECURITY)')
param mailImapSecurity string = ''

@description('POP3 server host name. Empty: no POP3 in the set-up step. (MAIL_POP3_HOST)')
param mailPop3Host string = ''

@description('POP3 port; empty: 995 with ssl, 110 with starttls. (MAIL_POP3_PORT)')
param mailPop3Port string = ''

@description('POP3 connection security: ssl or starttls; empty: ssl. (MAIL_POP3_SECURITY)')
param mailPop3Security string = ''

@description('SMTP (submission) server host name. Empty: no outgoing server in the set-up step. (MAIL_SMTP_HOST)')
param mailSmtpHost string = ''

@description('SMTP port; empty: 465 with ssl, 587 with starttls. (MAIL_SMTP_PORT)')
param mailSmtpPort string = ''

@description('SMTP connection security: ssl or starttls; empty: ssl. (MAIL_SMTP_SECURITY)')
param mailSmtpSecurity string = ''

@description('Exchange ActiveSync host name; offers an ActiveSync profile to Apple devices. Empty: none. (MAIL_ACTIVESYNC_HOST)')
param mailActiveSyncHost string = ''

@description('CalDAV/CardDAV https URL shown in the set-up step. Empty: none. (MAIL_DAV_URL)')
param mailDavUrl string = ''

@description('What devices call the account when the app password has no better name, e.g. Contoso mail. (MAIL_ACCOUNT_DESCRIPTION)')
param mailAccountDescription string = ''


var abbrs = loadJsonContent('abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}

// Without a registration of the operator's own, this deployment registers the API and the page (app/entra.bicep).
var registerApplications = empty(apiClientId)
// The registrations this template makes are in the deploying tenant, so its tokens are what the app accepts then.
var tenantId = registerApplications || empty(entraTenantId) ? tenant().tenantId : entraTenantId
// Entra ID signs v1 and v2 access tokens with the same keys but names a different issuer in each; accept both so
// the app registration's requestedAccessTokenVersion does not matter.
var authIssuers = [
  '${environment().authentication.loginEndpoint}${tenantId}/v2.0'
  'https://sts.windows.net/${tenantId}/'
]
var authJwksUri = '${environment().authentication.loginEndpoint}${tenantId}/discovery/v2.0/keys'
// `!`: the module exists exactly when registerApplications is true, and ARM evaluates only the branch taken.
var apiAppId = registerApplications ? entra!.outputs.apiClientId : apiClientId
var apiIdentifierUri = registerApplications
  ? entra!.outputs.apiIdentifierUri
  : (empty(apiAudience) ? 'api://${apiClientId}' : apiAudience)
var portalAppId = registerApplications ? entra!.outputs.portalClientId : portalClientId
var authAudiences = [
  apiIdentifierUri
  apiAppId
]
// azd passes one string (APP_PASSWORDS_PORTAL_ORIGINS and the like) inside the array, possibly comma-separated and
// possibly empty.
var portalOriginEntries = flatten(map(portalOrigins, entry => split(entry, ',')))
var extraCorsOrigins = filter(map(portalOriginEntries, origin => trim(origin)), origin => !empty(origin))
var extraRedirectUris = filter(
  map(flatten(map(portalRedirectUris, entry => split(entry, ','))), uri => trim(uri)),
  uri => !empty(uri)
)
var adminIds = filter(
  map(flatten(map(adminPrincipalIds, entry => split(entry, ','))), id => trim(id)),
  id => !empty(id)
)

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

module keyVault 'app/keyvault.bicep' = {
  name: 'keyVault'
  scope: rg
  params: {
    name: '${abbrs.keyVaultVaults}${resourceToken}'
    location: location
    tags: tags
    identityPrincipalId: identity.outputs.principalId
    throttleKey: throttleKey
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

// Stable per environment (the token), so a redeployment updates the same applications.
var apiUniqueName = 'app-passwords-api-${resourceToken}'
var portalUniqueName = 'app-passwords-portal-${resourceToken}'

module entra 'app/entra.bicep' = if (registerApplications) {
  name: 'entra'
  scope: rg
  params: {
    apiUniqueName: apiUniqueName
    apiDisplayName: 'App passwords API (${environmentName})'
    portalUniqueName: portalUniqueName
    portalDisplayName: 'App passwords (${environmentName})'
    // The page's own origin from the Static Web App in this deployment; union() drops a repeat of it.
    portalRedirectUris: union([web.outputs.origin], extraRedirectUris)
    adminPrincipalIds: adminIds
    scopeValue: authRequiredScope
  }
}

module notices 'app/notices.bicep' = {
  name: 'notices'
  scope: rg
  params: {
    tags: tags
    communicationName: 'acs-app-passwords-${resourceToken}'
    emailServiceName: 'ecs-app-passwords-${resourceToken}'
    customDomain: noticesCustomDomain
    principalId: identity.outputs.principalId
  }
}

module api 'app/api.bicep' = {
  name: 'api'
  scope: rg
  // The host reaches its storage, and resolves the throttle key's Key Vault reference, with the identity as soon
  // as it starts, so grant the roles first.
  dependsOn: [
    rbac
    keyVault
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
    throttleKeyReferenceUri: keyVault.outputs.throttleReferenceUri
    // The self-service page is always allowed; union() also drops a duplicate when it is listed again.
    corsOrigins: union([web.outputs.origin], extraCorsOrigins)
    appPasswordsAllowed: appPasswordsAllowed
    maxAppPasswordsPerUser: maxAppPasswordsPerUser
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    authRequiredScope: authRequiredScope
    maxAppPasswordLifetimeDays: maxAppPasswordLifetimeDays
    deleteUnusedAppPasswordsAfterDays: deleteUnusedAppPasswordsAfterDays
    policyRefreshSeconds: policyRefreshSeconds
    argon2MemoryKib: argon2MemoryKib
    argon2TimeCost: argon2TimeCost
    argon2Parallelism: argon2Parallelism
    storageTimeoutMs: storageTimeoutMs
    repeatLoginMemoryEntries: repeatLoginMemoryEntries
    repeatLoginMemorySeconds: repeatLoginMemorySeconds
    loginNameMemorySeconds: loginNameMemorySeconds
    noticesEmailEndpoint: notices.outputs.endpoint
    noticesFrom: notices.outputs.from
    portalUrl: web.outputs.origin
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
output PORTAL_CLIENT_ID string = portalAppId
output PORTAL_TENANT_ID string = tenantId
output PORTAL_API_SCOPE string = '${apiIdentifierUri}/${authRequiredScope}'
// The registrations this deployment made, for the operator and the postdown hook (which deletes them by
// uniqueName); empty with registrations of the operator's own, which are never touched. No output is named after
// an input (APP_PASSWORDS_API_CLIENT_ID...): azd would store it in the environment and the next provision would
// take the registrations for the operator's own. test/infra/wiring.test.ts checks that.
output ENTRA_API_CLIENT_ID string = apiAppId
output ENTRA_API_UNIQUE_NAME string = registerApplications ? apiUniqueName : ''
output ENTRA_PORTAL_UNIQUE_NAME string = registerApplications ? portalUniqueName : ''

// The tenant's mail settings, for the page's config.json: the predeploy hook reads PORTAL_<setting> (an output is
// never named after the azd environment value it reads, so a provision never feeds itself).
output PORTAL_MAIL_IMAP_HOST string = mailImapHost
output PORTAL_MAIL_IMAP_PORT string = mailImapPort
output PORTAL_MAIL_IMAP_SECURITY string = mailImapSecurity
output PORTAL_MAIL_POP3_HOST string = mailPop3Host
output PORTAL_MAIL_POP3_PORT string = mailPop3Port
output PORTAL_MAIL_POP3_SECURITY string = mailPop3Security
output PORTAL_MAIL_SMTP_HOST string = mailSmtpHost
output PORTAL_MAIL_SMTP_PORT string = mailSmtpPort
output PORTAL_MAIL_SMTP_SECURITY string = mailSmtpSecurity
output PORTAL_MAIL_ACTIVESYNC_HOST string = mailActiveSyncHost
output PORTAL_MAIL_DAV_URL string = mailDavUrl
output PORTAL_MAIL_ACCOUNT_DESCRIPTION string = mailAccountDescription
