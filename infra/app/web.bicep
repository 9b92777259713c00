// The self-service page: a Static Web App (Free) that serves portal/dist. azd deploys the built page to it (the
// `web` service in azure.yaml) and writes its config.json from this deployment's outputs; nothing is baked in.

@description('Name of the Static Web App.')
param name string

@allowed([
  'centralus'
  'eastasia'
  'eastus2'
  'westeurope'
  'westus2'
])
@description('Region of the Static Web App\'s management resource. Static Web Apps exist in only a few regions; the page itself is served from edge locations worldwide.')
param location string

@description('Tags for the app.')
param tags object = {}

@description('azd service name in azure.yaml; azd finds the app to deploy the page to by this tag.')
param serviceName string = 'web'

resource web 'Microsoft.Web/staticSites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': serviceName })
  sku: {
    name: 'Free'
    tier: 'Free'
  }
  properties: {
    // Deployed by azd from a local build, not from a linked repository.
    provider: 'Custom'
    allowConfigFileUpdates: true
    stagingEnvironmentPolicy: 'Disabled'
  }
}

output name string = web.name
// The browser origin of the page: what the function app's CORS allows and the app registration's redirect URI.
output origin string = 'https://${web.properties.defaultHostname}'
