// Container registry for the GPU trainer image. Pulls use the job's managed identity (AcrPull, see rbac.bicep);
// the admin user and anonymous pull stay off. The image is built in the registry (az acr build, postprovision hook).

@description('Registry name (5-50 letters and digits).')
param name string
param location string
param tags object

resource registry 'Microsoft.ContainerRegistry/registries@2025-04-01' = {
  name: name
  location: location
  tags: tags
  sku: { name: 'Basic' }
  properties: {
    adminUserEnabled: false
    anonymousPullEnabled: false
    publicNetworkAccess: 'Enabled'
  }
}

output name string = registry.name
output id string = registry.id
output loginServer string = registry.properties.loginServer
