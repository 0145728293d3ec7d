// Least-privilege role assignments. Each assignment is named guid(scope, principal, role) so that a redeploy
// finds the same one instead of failing with RoleAssignmentExists. The principal term is the identity's resource id
// (or the user's object id): an assignment name must be known before deployment, an identity's object id is not.

param storageAccountName string
param applicationInsightsName string
param trainingJobName string

@description('The artifact container (datasets/ and runs/): the only storage the training job can reach.')
param artifactContainerName string

@description('The containers the deploying user works with: the artifact container (dataset uploads) and the segmentation drop folders.')
param userContainerNames string[]

@description('Names of the user-assigned identities of the Function app (api) and of the training job (job).')
param apiIdentityName string
param jobIdentityName string

@description('Object id of the person running azd (optional): may upload datasets and images with --auth-mode login.')
param userPrincipalId string = ''

@allowed(['User', 'ServicePrincipal'])
param userPrincipalType string = 'User'

var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b' // Storage Blob Data Owner
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe' // Storage Blob Data Contributor
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88' // Storage Queue Data Contributor
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3' // Storage Table Data Contributor
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb' // Monitoring Metrics Publisher
  contributor: 'b24988ac-6180-42a0-ab88-20f7382dd24c' // Contributor (scoped to the training job only)
}

resource apiIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' existing = {
  name: apiIdentityName
}

resource jobIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' existing = {
  name: jobIdentityName
}

resource storage 'Microsoft.Storage/storageAccounts@2025-06-01' existing = {
  name: storageAccountName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource trainingJob 'Microsoft.App/jobs@2025-07-01' existing = {
  name: trainingJobName
}

// Known before deployment (used in assignment names) ...
var principalKeys = { api: apiIdentity.id, job: jobIdentity.id, user: userPrincipalId }
// ... and known only once the identities exist (used in assignment properties).
var principals = {
  api: { id: apiIdentity.properties.principalId, type: 'ServicePrincipal' }
  job: { id: jobIdentity.properties.principalId, type: 'ServicePrincipal' }
  user: { id: userPrincipalId, type: userPrincipalType }
}

// The Function app's identity on the whole account: the Functions host and the Durable Azure Storage backend need blob
// (leases, the Flex deployment package, artifacts, drop folders), queue (control and work-item queues) and table
// (history, instances) access.
var apiStorageRoles = [
  roles.storageBlobDataOwner
  roles.storageQueueDataContributor
  roles.storageTableDataContributor
]

resource apiStorageRoleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in apiStorageRoles: {
    scope: storage
    name: guid(storage.id, principalKeys.api, roleId)
    properties: {
      principalId: principals.api.id
      principalType: principals.api.type
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
    }
  }
]

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2025-06-01' existing = {
  parent: storage
  name: 'default'
}

resource artifactContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-06-01' existing = {
  parent: blobService
  name: artifactContainerName
}

// The trainer parses untrusted images, masks and user-named pickles, so its identity reaches the artifact container
// only: never the deployment package the Function app runs from, the host's containers or the drop folders.
resource jobArtifactWriter 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: artifactContainer
  name: guid(artifactContainer.id, principalKeys.job, roles.storageBlobDataContributor)
  properties: {
    principalId: principals.job.id
    principalType: principals.job.type
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataContributor)
  }
}

resource userContainers 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-06-01' existing = [
  for name in userContainerNames: {
    parent: blobService
    name: name
  }
]

// The person running azd uploads datasets and drops images (az storage blob upload --auth-mode login): the containers
// they work with, not the account.
resource userContainerWriters 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (name, i) in userContainerNames: if (!empty(userPrincipalId)) {
    scope: userContainers[i]
    name: guid(userContainers[i].id, principalKeys.user, roles.storageBlobDataContributor)
    properties: {
      principalId: principals.user.id
      principalType: principals.user.type
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataContributor)
    }
  }
]

// AcrPull for the job is in registry.bicep: it must exist before the job is created.

// Entra-authenticated telemetry: the component has local auth off.
resource telemetryPublish 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: applicationInsights
  name: guid(applicationInsights.id, principalKeys.api, roles.monitoringMetricsPublisher)
  properties: {
    principalId: principals.api.id
    principalType: principals.api.type
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
  }
}

// Start, watch and stop executions of the training job (jobs/start/action, jobs/executions/read, .../stop/action):
// Contributor scoped to this one job and nothing else. A custom role with only those actions would need
// subscription-level rights to define, which azd users often lack.
resource jobOperator 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: trainingJob
  name: guid(trainingJob.id, principalKeys.api, roles.contributor)
  properties: {
    principalId: principals.api.id
    principalType: principals.api.type
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.contributor)
  }
}
