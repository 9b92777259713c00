// The function app on a Flex Consumption plan (Linux, Node 22), its app settings, and no basic publishing.
// Flex Consumption rejects site configuration it does not support (ftpsState among others: it has no FTP), so
// siteConfig holds only what it documents; test/infra/hardening.test.ts keeps it to that list.

@description('Name of the function app (globally unique: it is the host name).')
param name string

@description('Name of the Flex Consumption plan.')
param planName string

@description('Azure region.')
param location string

@description('Tags for the plan and the app.')
param tags object = {}

@description('azd service name in azure.yaml; azd finds the app to deploy to by this tag.')
param serviceName string = 'api'

@description('Resource id of the user-assigned managed identity the app runs as.')
param identityId string

@description('Client id of that identity.')
param identityClientId string

@description('Storage account for the host, the deployment package and the app passwords table.')
param storageAccountName string

@description('Blob container that holds the deployment package.')
param deploymentContainerName string

@description('Name of the app passwords table.')
param tableName string

@description('Application Insights component for telemetry.')
param applicationInsightsName string

@description('Accepted access token issuers.')
param authIssuers string[]

@description('Accepted access token audiences: the API\'s application ID URI and client id.')
param authAudiences string[]

@description('JSON Web Key Set of the token issuer.')
param authJwksUri string

@description('Delegated scope (scp) the user endpoints require in access tokens: the scope the API\'s app registration exposes.')
param authRequiredScope string = 'AppPasswords.Manage'

@description('Versionless URI of the Key Vault secret that keys verify throttling (wrong-password fingerprints, unknown login names); the app setting refers to it, the app resolves it with its identity (app/keyvault.bicep).')
param throttleKeyReferenceUri string

@description('Browser origins allowed to call the API (CORS): the self-service page and any further portal. Empty allows none.')
param corsOrigins string[] = []

@description('Tenant policy "allow users to create app passwords".')
param appPasswordsAllowed bool = true

@minValue(1)
@maxValue(99)
@description('Most app passwords one user may hold. At most 99: deleting all of a user\'s app passwords is one transaction of at most 100 operations.')
param maxAppPasswordsPerUser int = 40

@minValue(0)
@maxValue(365)
@description('Tenant policy: longest lifetime of a new app password in days, and the lifetime of one created without. 0: no limit.')
param maxAppPasswordLifetimeDays int = 0

@minValue(0)
@maxValue(3650)
@description('Tenant policy: the daily clean-up deletes app passwords unused for this many days. 0: never.')
param deleteUnusedAppPasswordsAfterDays int = 0

@minValue(0)
@maxValue(30)
@description('How old an instance\'s copy of the saved tenant policy may get, in seconds. 0: read at every decision.')
param policyRefreshSeconds int = 30

@allowed([
  '20'
  '22'
])
@description('Node.js major version of the Functions runtime. 22 by default: Node 20 reached end of life in April 2026.')
param nodeVersion string = '22'

@minValue(1)
@maxValue(1000)
@description('Most instances the app may scale out to.')
param maximumInstanceCount int = 100

@allowed([
  512
  2048
  4096
])
@description('Memory of each instance, in MB.')
param instanceMemoryMB int = 2048

@minValue(8192)
@maxValue(4194304)
@description('argon2id memory cost of new hashes, in KiB (OWASP minimum 19456).')
param argon2MemoryKib int = 19456

@minValue(1)
@maxValue(100)
@description('argon2id iterations of new hashes (OWASP minimum 2 at 19456 KiB).')
param argon2TimeCost int = 2

@minValue(1)
@maxValue(16)
@description('argon2id lanes of new hashes.')
param argon2Parallelism int = 1

@minValue(100)
@maxValue(60000)
@description('Time budget of one call to Table Storage, in milliseconds; past it the request answers 503.')
param storageTimeoutMs int = 2000

@minValue(0)
@maxValue(1000000)
@description('Successes (and login names) one instance of verify remembers so a repeat login skips argon2. 0 turns the memory off.')
param repeatLoginMemoryEntries int = 10000

@minValue(0)
@maxValue(86400)
@description('How long verify remembers a success, in seconds, from the argon2 verification that proved it. 0: off.')
param repeatLoginMemorySeconds int = 3600

@minValue(0)
@maxValue(3600)
@description('How long verify remembers a login name\'s user id, in seconds. 0: off.')
param loginNameMemorySeconds int = 300

@description('Communication Services endpoint notices are sent through.')
param noticesEmailEndpoint string

@description('Sender address of notices.')
param noticesFrom string

@description('The page\'s address, which each notice links to.')
param portalUrl string

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': serviceName })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // Key Vault references resolve with the user-assigned identity (there is no system-assigned one).
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      minTlsVersion: '1.2'
      cors: {
        allowedOrigins: corsOrigins
        supportCredentials: false
      }
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'node'
        version: nodeVersion
      }
    }
  }

  // Every app setting, in one object literal: test/infra compares these names with shared/config.ts.
  resource appSettings 'config' = {
    name: 'appsettings'
    properties: {
      // Host storage, reached with the identity (the account allows no shared key).
      AzureWebJobsStorage__credential: 'managedidentity'
      AzureWebJobsStorage__clientId: identityClientId
      AzureWebJobsStorage__blobServiceUri: storage.properties.primaryEndpoints.blob
      AzureWebJobsStorage__queueServiceUri: storage.properties.primaryEndpoints.queue
      AzureWebJobsStorage__tableServiceUri: storage.properties.primaryEndpoints.table
      // Telemetry authenticated with the identity (the component has local authentication off).
      APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsights.properties.ConnectionString
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
      // argon2 runs on the libuv thread pool, best with about a thread per core: threads beyond the cores only
      // make the hashes contend (on 2 cores, 8 threads verified 6% fewer calls per second than 2). An instance
      // has 1 core at 2048 MB and 2 at 4096 MB; 2 threads suit both.
      UV_THREADPOOL_SIZE: '2'
      // The service's own settings (shared/config.ts).
      AZURE_CLIENT_ID: identityClientId
      APP_PASSWORDS_TABLE_ENDPOINT: storage.properties.primaryEndpoints.table
      APP_PASSWORDS_TABLE_NAME: tableName
      AUTH_ISSUER: join(authIssuers, ',')
      AUTH_AUDIENCE: join(authAudiences, ',')
      AUTH_JWKS_URI: authJwksUri
      AUTH_REQUIRED_SCOPE: authRequiredScope
      // A Key Vault reference: the platform puts the secret's value in the environment, the site holds only this.
      APP_PASSWORDS_THROTTLE_KEY: '@Microsoft.KeyVault(SecretUri=${throttleKeyReferenceUri})'
      // Lowercase on purpose: string(true) would give 'True', which the config does not accept.
      APP_PASSWORDS_ALLOWED: appPasswordsAllowed ? 'true' : 'false'
      APP_PASSWORDS_MAX_PER_USER: string(maxAppPasswordsPerUser)
      // Empty is unset (no limit), which the config reads as such.
      APP_PASSWORDS_MAX_LIFETIME_DAYS: maxAppPasswordLifetimeDays == 0 ? '' : string(maxAppPasswordLifetimeDays)
      APP_PASSWORDS_DELETE_UNUSED_AFTER_DAYS: deleteUnusedAppPasswordsAfterDays == 0
        ? ''
        : string(deleteUnusedAppPasswordsAfterDays)
      APP_PASSWORDS_POLICY_REFRESH_SECONDS: string(policyRefreshSeconds)
      ARGON2_MEMORY_KIB: string(argon2MemoryKib)
      ARGON2_TIME_COST: string(argon2TimeCost)
      ARGON2_PARALLELISM: string(argon2Parallelism)
      STORAGE_TIMEOUT_MS: string(storageTimeoutMs)
      // Verify's repeat-login memory, per instance (shared/adapters/config.ts); '0' turns it off.
      REPEAT_LOGIN_MEMORY_ENTRIES: string(repeatLoginMemoryEntries)
      REPEAT_LOGIN_MEMORY_SECONDS: string(repeatLoginMemorySeconds)
      LOGIN_NAME_MEMORY_SECONDS: string(loginNameMemorySeconds)
      // Notices: the queue on the host's storage account, sent through Communication Services.
      NOTICES_QUEUE_ENDPOINT: storage.properties.primaryEndpoints.queue
      NOTICES_EMAIL_ENDPOINT: noticesEmailEndpoint
      NOTICES_FROM: noticesFrom
      APP_PASSWORDS_PORTAL_URL: portalUrl
    }
  }

  // Deployments (azd, az functionapp deployment source config-zip) authenticate with Microsoft Entra ID instead.
  resource scmPublishing 'basicPublishingCredentialsPolicies' = {
    name: 'scm'
    properties: {
      allow: false
    }
  }
}

output name string = functionApp.name
output defaultHostName string = functionApp.properties.defaultHostName
output baseUrl string = 'https://${functionApp.properties.defaultHostName}/api'
