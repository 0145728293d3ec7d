// Event Grid system topic for the storage account. The subscriptions that route BlobCreated events to the Functions blob
// extension webhook need the function's blobs_extension key, which exists only after the code is deployed, so
// infra/hooks/postdeploy.sh creates them. An event that exhausts its delivery attempts is dead-lettered into
// deadLetterContainerName by the topic's own identity, which may write that container and nothing else.

param name string
param location string
param tags object
param storageAccountName string

@description('The container that receives events Event Grid could not deliver (dead letters).')
param deadLetterContainerName string

var storageBlobDataContributor = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe' // Storage Blob Data Contributor

resource storage 'Microsoft.Storage/storageAccounts@2025-06-01' existing = {
  name: storageAccountName
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2025-06-01' existing = {
  parent: storage
  name: 'default'
}

resource deadLetterContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-06-01' existing = {
  parent: blobService
  name: deadLetterContainerName
}

resource systemTopic 'Microsoft.EventGrid/systemTopics@2025-02-15' = {
  name: name
  location: location
  tags: tags
  // Shared keys are off on the account, so dead letters are written with this identity.
  identity: { type: 'SystemAssigned' }
  properties: {
    source: storage.id
    topicType: 'Microsoft.Storage.StorageAccounts'
  }
}

resource deadLetterWriter 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: deadLetterContainer
  name: guid(deadLetterContainer.id, systemTopic.id, storageBlobDataContributor)
  properties: {
    principalId: systemTopic.identity.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributor)
  }
}

output name string = systemTopic.name
output deadLetterContainerId string = deadLetterContainer.id
