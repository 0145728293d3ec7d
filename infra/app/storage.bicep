// Storage account for everything: the Functions host and Durable task hub (queues, tables, leases), the Flex
// deployment package, the artifact store (datasets/ and runs/ in one container) and the segmentation drop folders.
// Identity-only: shared keys are disabled, so no connection string can exist.

@description('Storage account name (3-24 lowercase letters and digits).')
param name string
param location string
param tags object

@description('Blob containers to create.')
param containerNames string[]

@description('Days a replaced or deleted blob stays recoverable: soft delete, and previous versions before the lifecycle rule removes them.')
@minValue(1)
@maxValue(365)
param retentionDays int = 30

resource storage 'Microsoft.Storage/storageAccounts@2025-06-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: {
    accessTier: 'Hot'
    allowSharedKeyAccess: false
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: { defaultAction: 'Allow', bypass: 'AzureServices' }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2025-06-01' = {
  parent: storage
  name: 'default'
  properties: {
    // Versioning keeps the old bytes of any overwritten blob (a model record, a `latest` pointer, anything a
    // compromised writer replaced); soft delete keeps a removed checkpoint or input recoverable.
    isVersioningEnabled: true
    deleteRetentionPolicy: { enabled: true, days: retentionDays }
    containerDeleteRetentionPolicy: { enabled: true, days: retentionDays }
  }
}

// Previous versions are kept for the retention period, then deleted, so versioning does not grow storage forever.
resource lifecycle 'Microsoft.Storage/storageAccounts/managementPolicies@2025-06-01' = {
  parent: storage
  name: 'default'
  properties: {
    policy: {
      rules: [
        {
          name: 'delete-old-versions'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: { blobTypes: ['blockBlob'] }
            actions: { version: { delete: { daysAfterCreationGreaterThan: retentionDays } } }
          }
        }
      ]
    }
  }
}

resource containers 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-06-01' = [
  for containerName in containerNames: {
    parent: blobService
    name: containerName
    properties: { publicAccess: 'None' }
  }
]

output name string = storage.name
output id string = storage.id
output blobEndpoint string = storage.properties.primaryEndpoints.blob
output queueEndpoint string = storage.properties.primaryEndpoints.queue
output tableEndpoint string = storage.properties.primaryEndpoints.table
