// The Microsoft Entra registrations the service needs, declared with the Microsoft Graph Bicep extension (alias
// in infra/bicepconfig.json): the API's application (scope AppPasswords.Manage, app role AppPasswords.Admin, v2
// tokens) and its service principal, the self-service page's single-page application with access to the scope and
// the tenant's consent, and the administrators' role assignments. They live in the tenant of the subscription, not
// in the resource group: `azd down` leaves them, which infra/hooks/postdown removes by uniqueName.
// main.bicep deploys this module only when the operator brings no registration of their own (apiClientId empty).
extension microsoftGraphV1

@description('Alternate key of the API\'s application, stable per environment: redeploying updates the same application instead of creating another.')
param apiUniqueName string

@description('Display name of the API\'s application (and of its enterprise application, where administrators are listed).')
param apiDisplayName string

@description('Alternate key of the self-service page\'s application, stable per environment.')
param portalUniqueName string

@description('Display name of the self-service page\'s application: what people see on the sign-in and consent pages.')
param portalDisplayName string

@minLength(1)
@description('Redirect URIs of the page (single-page application): the Static Web App\'s origin, plus a custom domain or http://localhost:5173 when given. Exact origins: the page sends window.location.origin.')
param portalRedirectUris string[]

@description('Object ids of the users or groups who get the app role AppPasswords.Admin. Empty assigns nobody.')
param adminPrincipalIds string[] = []

@description('Delegated scope the user endpoints require (AUTH_REQUIRED_SCOPE).')
param scopeValue string = 'AppPasswords.Manage'

@description('App role that makes a user an administrator of every user\'s app passwords.')
param adminRoleValue string = 'AppPasswords.Admin'

// Fixed per application: Entra ID requires an id for each scope and role and refuses to change one that is in use,
// so they are derived from the uniqueName, never generated anew.
var scopeId = guid(apiUniqueName, 'oauth2PermissionScope', scopeValue)
var adminRoleId = guid(apiUniqueName, 'appRole', adminRoleValue)
// An application cannot name its own appId in the template that creates it, and the tenant's default policy
// accepts api://<tenant id>/<name> as an identifier URI.
var identifierUri = 'api://${tenant().tenantId}/${apiUniqueName}'

resource apiApp 'Microsoft.Graph/applications@v1.0' = {
  uniqueName: apiUniqueName
  displayName: apiDisplayName
  signInAudience: 'AzureADMyOrg'
  identifierUris: [
    identifierUri
  ]
  api: {
    // v2 tokens carry the client id as their audience; the function app accepts both formats anyway.
    requestedAccessTokenVersion: 2
    oauth2PermissionScopes: [
      {
        id: scopeId
        value: scopeValue
        type: 'User'
        isEnabled: true
        adminConsentDisplayName: 'Manage app passwords'
        adminConsentDescription: 'Create, list and delete app passwords for the signed-in user.'
        userConsentDisplayName: 'Manage your app passwords'
        userConsentDescription: 'Create, list and delete your app passwords.'
      }
    ]
  }
  appRoles: [
    {
      id: adminRoleId
      value: adminRoleValue
      isEnabled: true
      allowedMemberTypes: [
        'User'
      ]
      displayName: 'App passwords administrator'
      description: 'Manage and delete the app passwords of any user.'
    }
  ]
}

// The enterprise application: what the consent grant and the role assignments point at.
resource apiServicePrincipal 'Microsoft.Graph/servicePrincipals@v1.0' = {
  appId: apiApp.appId
}

// MSAL signs the page in with the OpenID Connect scopes besides the API's (openid, profile, offline_access: Microsoft
// Graph's delegated permissions of those names). They are consented below too, so a tenant where users may not
// consent to apps still lets everyone sign in.
var graphAppId = '00000003-0000-0000-c000-000000000000'
var signInScopes = [
  { value: 'openid', id: '37f7f235-527c-4136-accd-4a02d197296e' }
  { value: 'profile', id: '14dad69e-099b-42c9-810b-d002981feec1' }
  { value: 'offline_access', id: '7427e0e9-2fba-42fe-b0c0-848c9e6a8182' }
]

resource graphServicePrincipal 'Microsoft.Graph/servicePrincipals@v1.0' existing = {
  appId: graphAppId
}

resource portalApp 'Microsoft.Graph/applications@v1.0' = {
  uniqueName: portalUniqueName
  displayName: portalDisplayName
  signInAudience: 'AzureADMyOrg'
  spa: {
    redirectUris: portalRedirectUris
  }
  // What the page asks for; the grant below is what lets it have it without a consent prompt.
  requiredResourceAccess: [
    {
      resourceAppId: apiApp.appId
      resourceAccess: [
        {
          id: scopeId
          type: 'Scope'
        }
      ]
    }
    {
      resourceAppId: graphAppId
      resourceAccess: [
        for scope in signInScopes: {
          id: scope.id
          type: 'Scope'
        }
      ]
    }
  ]
}

resource portalServicePrincipal 'Microsoft.Graph/servicePrincipals@v1.0' = {
  appId: portalApp.appId
}

// Admin consent for the whole tenant, so nobody meets a consent prompt (or a "needs admin approval" wall where
// user consent is off).
resource portalConsent 'Microsoft.Graph/oauth2PermissionGrants@v1.0' = {
  clientId: portalServicePrincipal.id
  resourceId: apiServicePrincipal.id
  consentType: 'AllPrincipals'
  scope: scopeValue
}

resource portalSignInConsent 'Microsoft.Graph/oauth2PermissionGrants@v1.0' = {
  clientId: portalServicePrincipal.id
  resourceId: graphServicePrincipal.id
  consentType: 'AllPrincipals'
  scope: join(map(signInScopes, scope => scope.value), ' ')
}

resource adminAssignments 'Microsoft.Graph/appRoleAssignedTo@v1.0' = [
  for principalId in adminPrincipalIds: {
    principalId: principalId
    resourceId: apiServicePrincipal.id
    appRoleId: adminRoleId
  }
]

output apiClientId string = apiApp.appId
output apiIdentifierUri string = identifierUri
output portalClientId string = portalApp.appId
output apiUniqueName string = apiApp.uniqueName
output portalUniqueName string = portalApp.uniqueName
