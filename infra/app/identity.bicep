// Two user-assigned identities so that each side gets only what it needs (see rbac.bicep):
//   api  - the Function app: host storage, Durable task hub, run artifacts, starting the training job.
//   job  - the training container: pulls its image and reads/writes run artifacts; it cannot start jobs.

param apiIdentityName string
param jobIdentityName string
param location string
param tags object

resource apiIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: apiIdentityName
  location: location
  tags: tags
}

resource jobIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: jobIdentityName
  location: location
  tags: tags
}

output apiIdentityId string = apiIdentity.id
output apiIdentityName string = apiIdentity.name
output apiClientId string = apiIdentity.properties.clientId
output apiPrincipalId string = apiIdentity.properties.principalId
output jobIdentityId string = jobIdentity.id
output jobIdentityName string = jobIdentity.name
output jobClientId string = jobIdentity.properties.clientId
output jobPrincipalId string = jobIdentity.properties.principalId
