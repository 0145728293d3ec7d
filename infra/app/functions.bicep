// Flex Consumption plan and the Function app (HTTP API, Durable orchestrations, blob-drop segmentation).
// Every storage and telemetry setting is identity-based: no keys, no SAS, no storage connection strings.

param planName string
param appName string
param location string
param tags object

@description('Resource id, client id of the user-assigned identity the app runs as.')
param identityId string
param identityClientId string

param storageBlobEndpoint string
param storageQueueEndpoint string
param storageTableEndpoint string

@description('Blob container that holds the Flex deployment package.')
param deploymentContainerName string

param applicationInsightsConnectionString string

@description('Durable task hub name (letters and digits, 3-45 characters, starts with a letter).')
@minLength(3)
@maxLength(45)
param taskHubName string

@description('Resource id of the Container Apps job that runs one training epoch, and its container name.')
param trainingJobId string
param trainingJobContainerName string
@description('The training job\'s replicaTimeout: the orchestration waits this long (plus a start-up grace) for one execution.')
param trainingJobReplicaTimeoutSeconds int

@description('Largest number of instances the app may scale out to.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('Memory per instance; segmentation keeps a ResNet-50 and the libtorch natives in memory.')
@allowed([2048, 4096])
param instanceMemoryMB int = 4096

@description('entra: App Service Authentication (Entra ID) in front of every route but the blob webhook, roles checked by the handlers; keys: function keys only.')
@allowed(['entra', 'keys'])
param apiAuth string = 'entra'

@description('Client id of the API app registration (entra mode).')
param apiClientId string = ''

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: { tier: 'FlexConsumption', name: 'FC1' }
  properties: { reserved: true }
}

resource app 'Microsoft.Web/sites@2025-03-01' = {
  name: appName
  location: location
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identityId}': {} }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      // Identity-based settings only. The pipeline's own clients use the same account and identity:
      // MASKCONTRAST_STORAGE_URL + AZURE_CLIENT_ID (the trainer container gets the same two, see containerjob.bicep),
      // and the segment-input blob trigger uses Connection = "AzureWebJobsStorage".
      appSettings: [
        { name: 'AzureWebJobsStorage__credential', value: 'managedidentity' }
        { name: 'AzureWebJobsStorage__clientId', value: identityClientId }
        { name: 'AzureWebJobsStorage__blobServiceUri', value: storageBlobEndpoint }
        { name: 'AzureWebJobsStorage__queueServiceUri', value: storageQueueEndpoint }
        { name: 'AzureWebJobsStorage__tableServiceUri', value: storageTableEndpoint }
        // The instrumentation key inside this string is an ingestion address, not a credential: local auth is off
        // on the component, so ingestion also needs the Entra token named by the authentication string.
        { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: applicationInsightsConnectionString }
        { name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING', value: 'ClientId=${identityClientId};Authorization=AAD' }
        // DefaultAzureCredential picks the user-assigned identity from AZURE_CLIENT_ID.
        { name: 'AZURE_CLIENT_ID', value: identityClientId }
        { name: 'MASKCONTRAST_STORAGE_URL', value: storageBlobEndpoint }
        { name: 'TASKHUB_NAME', value: taskHubName }
        { name: 'TRAINING_JOB_RESOURCE_ID', value: trainingJobId }
        { name: 'TRAINING_JOB_CONTAINER_NAME', value: trainingJobContainerName }
        { name: 'TRAINING_JOB_REPLICA_TIMEOUT_SECONDS', value: string(trainingJobReplicaTimeoutSeconds) }
        // Which caller check the handlers apply (CallerAccess): app roles from the platform's claims, or none.
        { name: 'MASKCONTRAST_API_AUTH', value: apiAuth }
      ]
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storageBlobEndpoint}${deploymentContainerName}'
          authentication: { type: 'UserAssignedIdentity', userAssignedIdentityResourceId: identityId }
        }
      }
      scaleAndConcurrency: { maximumInstanceCount: maximumInstanceCount, instanceMemoryMB: instanceMemoryMB }
      runtime: { name: 'dotnet-isolated', version: '10.0' }
    }
  }
}

// Entra ID in front of the API: a request without a valid token for the API's app registration gets 401 from the
// platform, before any function runs. The blob extension's webhook stays reachable for Event Grid, which authenticates
// with the extension's system key. Function keys are still required on every HTTP function (a second factor).
resource authentication 'Microsoft.Web/sites/config@2025-03-01' = if (apiAuth == 'entra') {
  parent: app
  name: 'authsettingsV2'
  properties: {
    platform: { enabled: true }
    globalValidation: {
      requireAuthentication: true
      unauthenticatedClientAction: 'Return401'
      excludedPaths: ['/runtime/webhooks/blobs']
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          clientId: apiClientId
          openIdIssuer: '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'
        }
        validation: { allowedAudiences: ['api://${apiClientId}', apiClientId] }
      }
    }
    login: { tokenStore: { enabled: false } }
  }
}

// Publishing with a user name and password is off; azd deploys with an Entra token.
resource ftpPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: app
  name: 'ftp'
  properties: { allow: false }
}

resource scmPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: app
  name: 'scm'
  properties: { allow: false }
}

output name string = app.name
output id string = app.id
output defaultHostName string = app.properties.defaultHostName
