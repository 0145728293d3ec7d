// Container registry for the GPU trainer image. Pulls use the job's managed identity (AcrPull, below); the admin
// user and anonymous pull stay off. The image is built in the registry (az acr build, postprovision hook).

@description('Registry name (5-50 letters and digits).')
param name string
param location string
param tags object

@description('Name of the user-assigned identity that pulls images: the training job\'s.')
param pullIdentityName string

var acrPullRoleId = '7f951dda-4ed3-4680-a7ca-43fe172d538d' // AcrPull

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

resource pullIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' existing = {
  name: pullIdentityName
}

// Assigned here rather than in rbac.bicep so that it exists before the job that pulls with it is created (the
// training module depends on this one). Named guid(scope, principal, role) like the others.
resource acrPull 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: registry
  name: guid(registry.id, pullIdentity.id, acrPullRoleId)
  properties: {
    principalId: pullIdentity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', acrPullRoleId)
  }
}

output name string = registry.name
output id string = registry.id
output loginServer string = registry.properties.loginServer
