// The throttle key's home: a key vault with Azure RBAC (no access policies) that only the app's identity reads
// (Key Vault Secrets User), and the app setting refers to it instead of holding it (a Key Vault reference), so the
// key is not in the site's configuration. azd generates the key once and keeps it in the environment
// (main.bicep, throttleKey), so every provision writes the same value back.

@description('Name of the key vault (globally unique, 3-24 characters).')
param name string

@description('Azure region.')
param location string

@description('Tags for the vault.')
param tags object = {}

@description('Principal (object) id of the function app\'s user-assigned managed identity: it may read the secrets, nothing else.')
param identityPrincipalId string

@secure()
@minLength(32)
@description('Secret that keys verify throttling (APP_PASSWORDS_THROTTLE_KEY).')
param throttleKey string

var keyVaultSecretsUser = subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '4633458b-17de-408a-b874-0445c86b69e6')

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 7
    // No purge protection: `azd down --purge` must be able to remove the vault for good.
  }

  resource throttleKeySecret 'secrets' = {
    name: 'throttle-key'
    properties: {
      value: throttleKey
      contentType: 'text/plain'
    }
  }
}

resource identitySecretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, identityPrincipalId, keyVaultSecretsUser)
  scope: vault
  properties: {
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: keyVaultSecretsUser
  }
}

output name string = vault.name
// Versionless: the app setting follows the current version of the secret.
output throttleReferenceUri string = '${vault.properties.vaultUri}secrets/${vault::throttleKeySecret.name}'
