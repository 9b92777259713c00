// Notices by email: Azure Communication Services with an Email service, its domain (Azure-managed by default,
// or the operator's own), and the role the app's identity needs to send through it.

@description('Tags for every resource.')
param tags object = {}
@description('Name of the Communication Services resource.')
param communicationName string
@description('Name of the Email Communication Services resource.')
param emailServiceName string
@description('The operator\'s own sender domain (verified in the Email service); empty: an Azure-managed domain.')
param customDomain string = ''
@description('Principal id of the app\'s managed identity.')
param principalId string

resource emailService 'Microsoft.Communication/emailServices@2023-04-01' = {
  name: emailServiceName
  location: 'global'
  tags: tags
  properties: { dataLocation: 'Europe' }
}

resource domain 'Microsoft.Communication/emailServices/domains@2023-04-01' = {
  parent: emailService
  name: empty(customDomain) ? 'AzureManagedDomain' : customDomain
  location: 'global'
  properties: {
    domainManagement: empty(customDomain) ? 'AzureManaged' : 'CustomerManaged'
    userEngagementTracking: 'Disabled'
  }
}

resource communication 'Microsoft.Communication/communicationServices@2023-04-01' = {
  name: communicationName
  location: 'global'
  tags: tags
  properties: {
    dataLocation: 'Europe'
    linkedDomains: [domain.id]
  }
}

// Sending mail with Entra ID needs write access to the Communication Services resource: Contributor, on it only.
var contributor = subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'b24988ac-6180-42a0-ab88-20f7382dd24c')
resource sendRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(communication.id, principalId, contributor)
  scope: communication
  properties: { roleDefinitionId: contributor, principalId: principalId, principalType: 'ServicePrincipal' }
}

@description('The endpoint notices are sent through (NOTICES_EMAIL_ENDPOINT).')
output endpoint string = 'https://${communication.properties.hostName}'
@description('The sender address (NOTICES_FROM): DoNotReply at the domain.')
output from string = 'DoNotReply@${domain.properties.mailFromSenderDomain}'
