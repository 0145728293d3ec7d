// Container Apps environment with a serverless GPU workload profile, and the manual-trigger job that runs one
// training epoch per execution (`maskcontrast train-epoch`). The orchestration starts each execution through ARM
// with MASKCONTRAST_RUN_ID, MASKCONTRAST_EPOCH and MASKCONTRAST_ATTEMPT as environment overrides and owns every
// retry: the job restarts no replica (replicaRetryLimit 0), so one orchestration attempt is at most one GPU start, and
// a trainer that refuses its input (exit 2) is not started again by the platform.

param environmentName string
param jobName string
param location string
param tags object
param logAnalyticsId string

@description('Serverless GPU workload profile type.')
@allowed(['Consumption-GPU-NC8as-T4', 'Consumption-GPU-NC24-A100'])
param gpuProfileType string = 'Consumption-GPU-NC8as-T4'

@description('User-assigned identity of the job: pulls the image and reads/writes blobs.')
param identityId string
param identityClientId string

param registryLoginServer string
param storageBlobEndpoint string

@description('Trainer image. Empty before the first postprovision hook has pushed one: a public placeholder is used.')
param trainerImage string = ''

@description('Container name inside the job template (the start call overrides this container\'s env).')
param containerName string = 'trainer'

@description('Longest one epoch may run, in seconds, before the replica is stopped. The Function app gets the deployed value (output replicaTimeoutSeconds) as its attempt timeout setting.')
@minValue(600)
@maxValue(86400)
param replicaTimeoutSeconds int = 14400

// The whole node of each serverless GPU profile (one GPU): T4 16 GB, A100 80 GB.
var gpuResources = {
  'Consumption-GPU-NC8as-T4': { cpu: 8, memory: '56Gi' }
  'Consumption-GPU-NC24-A100': { cpu: 24, memory: '220Gi' }
}
var gpuProfileName = 'gpu'
var placeholderImage = 'mcr.microsoft.com/k8se/quickstart-jobs:latest'

resource environment 'Microsoft.App/managedEnvironments@2025-07-01' = {
  name: environmentName
  location: location
  tags: tags
  properties: {
    // Logs go through the Azure Monitor diagnostic setting below: the workspace has local (shared key) auth off, and
    // no workspace key is handed to the environment.
    appLogsConfiguration: { destination: 'azure-monitor' }
    workloadProfiles: [
      { name: 'Consumption', workloadProfileType: 'Consumption' }
      { name: gpuProfileName, workloadProfileType: gpuProfileType }
    ]
  }
}

// The only diagnosticSettings version with category groups is this preview; the stable 2016-09-01 lacks them.
#disable-next-line use-recent-api-versions
resource environmentLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'logs-to-workspace'
  scope: environment
  properties: {
    workspaceId: logAnalyticsId
    // Resource-specific tables (ContainerAppConsoleLogs, ContainerAppSystemLogs) instead of AzureDiagnostics.
    logAnalyticsDestinationType: 'Dedicated'
    logs: [{ categoryGroup: 'allLogs', enabled: true }]
  }
}

resource job 'Microsoft.App/jobs@2025-07-01' = {
  name: jobName
  location: location
  tags: tags
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identityId}': {} }
  }
  properties: {
    environmentId: environment.id
    workloadProfileName: gpuProfileName
    configuration: {
      triggerType: 'Manual'
      manualTriggerConfig: { parallelism: 1, replicaCompletionCount: 1 }
      replicaTimeout: replicaTimeoutSeconds
      // The orchestration retries (EpochJobOptions.MaxAttempts); platform restarts would multiply GPU starts.
      replicaRetryLimit: 0
      registries: [{ server: registryLoginServer, identity: identityId }]
    }
    template: {
      containers: [
        {
          name: containerName
          image: empty(trainerImage) ? placeholderImage : trainerImage
          resources: { cpu: gpuResources[gpuProfileType].cpu, memory: gpuResources[gpuProfileType].memory }
          env: [
            { name: 'MASKCONTRAST_STORAGE_URL', value: storageBlobEndpoint }
            { name: 'AZURE_CLIENT_ID', value: identityClientId }
          ]
        }
      ]
    }
  }
}

output environmentName string = environment.name
output jobName string = job.name
output jobId string = job.id
output containerName string = containerName
output replicaTimeoutSeconds int = job.properties.configuration.replicaTimeout
