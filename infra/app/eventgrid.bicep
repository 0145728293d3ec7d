// Event Grid system topic for the storage account. The subscription that routes BlobCreated events from the
// segment-input container to the Functions blob extension webhook needs the function's blobs_extension key, which
// exists only after the code is deployed, so infra/hooks/postdeploy.sh creates it.

param name string
param location string
param tags object
param storageAccountId string

resource systemTopic 'Microsoft.EventGrid/systemTopics@2025-02-15' = {
  name: name
  location: location
  tags: tags
  properties: {
    source: storageAccountId
    topicType: 'Microsoft.Storage.StorageAccounts'
  }
}

output name string = systemTopic.name
