// MaskContrast.Cloud on Azure: Functions (Flex Consumption) orchestrate; a Container Apps job on a serverless GPU
// profile runs each training epoch; one storage account holds everything; every identity is managed.
// Deployed with `azd up`; see docs/deployment.md and infra/README.md.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('azd environment name; it names the resource group and seeds the resource names.')
param environmentName string

@minLength(1)
@description('Region for every resource. It must offer Flex Consumption and the chosen serverless GPU profile.')
param location string

@description('Serverless GPU workload profile of the training job: NVIDIA T4 (16 GB) or A100 (80 GB).')
@allowed(['Consumption-GPU-NC8as-T4', 'Consumption-GPU-NC24-A100'])
param gpuProfileType string = 'Consumption-GPU-NC8as-T4'

@description('Trainer image pushed by the postprovision hook; empty on the first provision (placeholder image).')
param trainerImage string = ''

@description('Longest one training epoch may run, in seconds: the job\'s replicaTimeout, and (through the app setting TRAINING_JOB_REPLICA_TIMEOUT_SECONDS) the orchestration\'s attempt timeout.')
param replicaTimeoutSeconds int = 14400

@description('Durable task hub name.')
param taskHubName string = 'MaskContrast'

@description('Object id of the user running azd, granted blob data access for uploads (optional).')
param principalId string = ''

@description('Kind of principalId: a person, or the service principal of a CI pipeline.')
@allowed(['User', 'ServicePrincipal'])
param principalType string = 'User'

@description('How API callers authenticate: entra (App Service Authentication with app roles, and the function key) or keys (function keys only, opted into).')
@allowed(['entra', 'keys'])
param apiAuth string = 'entra'

@description('Client id of the API app registration; hooks/preprovision.sh creates it and sets API_CLIENT_ID.')
param apiClientId string = ''

@description('Monthly cost budget of the resource group (billing currency), a whole number as text because azd substitutes text.')
param budgetMonthlyAmount string = '100'

@description('Comma-separated e-mail addresses for the budget alerts (80 % actual, 100 % forecast); empty = no budget.')
param budgetContactEmails string = ''

@description('First of the month the budget starts (yyyy-MM-01); empty = budgetFirstMonth. azd keeps the BUDGET_START_DATE output in the environment, so later provisions send the same date (Azure refuses to change it).')
param budgetStartDate string = ''

@description('Not to be set: the first of the current month, the start of a new budget (utcNow is only allowed as a parameter default).')
param budgetFirstMonth string = utcNow('yyyy-MM-01')

// Optional name overrides; empty means '<abbreviation><resourceToken>'.
param resourceGroupName string = ''
param storageAccountName string = ''
param functionAppName string = ''
param registryName string = ''
param trainingJobName string = ''

var abbrs = loadJsonContent('abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }
var budgetEmails = filter(map(split(budgetContactEmails, ','), e => trim(e)), e => !empty(e))
var budgetStart = !empty(budgetStartDate) ? budgetStartDate : budgetFirstMonth

// Every name is known before deployment, so modules can reference each other's resources by name (rbac.bicep) and
// what-if can predict them.
var names = {
  apiIdentity: '${abbrs.managedIdentityUserAssignedIdentities}api-${resourceToken}'
  jobIdentity: '${abbrs.managedIdentityUserAssignedIdentities}job-${resourceToken}'
  storage: !empty(storageAccountName) ? storageAccountName : '${abbrs.storageStorageAccounts}${resourceToken}'
  logAnalytics: '${abbrs.operationalInsightsWorkspaces}${resourceToken}'
  applicationInsights: '${abbrs.insightsComponents}${resourceToken}'
  registry: !empty(registryName) ? registryName : '${abbrs.containerRegistryRegistries}${resourceToken}'
  containerAppsEnvironment: '${abbrs.appManagedEnvironments}${resourceToken}'
  trainingJob: !empty(trainingJobName) ? trainingJobName : '${abbrs.appContainerAppsJobs}training-${resourceToken}'
  plan: '${abbrs.webServerFarms}${resourceToken}'
  functionApp: !empty(functionAppName) ? functionAppName : '${abbrs.webSitesFunctions}${resourceToken}'
  systemTopic: '${abbrs.eventGridSystemTopics}storage-${resourceToken}'
  budget: '${abbrs.consumptionBudgets}${resourceToken}'
}

// Blob containers: the Flex deployment package, the artifact store (datasets/ and runs/ prefixes of one container,
// as RunLayout lays them out for the CLI, the app and the trainer alike) and the segmentation drop folders.
var containers = {
  deployment: 'deployment'
  artifacts: 'maskcontrast'
  segmentInput: 'segment-input'
  segmentOutput: 'segment-output'
  // Event Grid's dead letters: BlobCreated events it could not deliver to the app.
  deadLetters: 'eventgrid-deadletter'
}

resource rg 'Microsoft.Resources/resourceGroups@2025-04-01' = {
  name: !empty(resourceGroupName) ? resourceGroupName : '${abbrs.resourcesResourceGroups}${environmentName}'
  location: location
  tags: tags
}

module identity 'app/identity.bicep' = {
  scope: rg
  params: {
    apiIdentityName: names.apiIdentity
    jobIdentityName: names.jobIdentity
    location: location
    tags: tags
  }
}

module storage 'app/storage.bicep' = {
  scope: rg
  params: {
    name: names.storage
    location: location
    tags: tags
    containerNames: map(items(containers), c => c.value)
  }
}

module monitoring 'app/monitoring.bicep' = {
  scope: rg
  params: {
    logAnalyticsName: names.logAnalytics
    applicationInsightsName: names.applicationInsights
    location: location
    tags: tags
  }
}

module registry 'app/registry.bicep' = {
  scope: rg
  params: {
    name: names.registry
    location: location
    tags: tags
    pullIdentityName: names.jobIdentity
  }
  dependsOn: [identity]
}

module training 'app/containerjob.bicep' = {
  scope: rg
  params: {
    environmentName: names.containerAppsEnvironment
    jobName: names.trainingJob
    location: location
    tags: tags
    logAnalyticsId: monitoring.outputs.logAnalyticsId
    gpuProfileType: gpuProfileType
    identityId: identity.outputs.jobIdentityId
    identityClientId: identity.outputs.jobClientId
    registryLoginServer: registry.outputs.loginServer
    storageBlobEndpoint: storage.outputs.blobEndpoint
    trainerImage: trainerImage
    replicaTimeoutSeconds: replicaTimeoutSeconds
  }
}

module functions 'app/functions.bicep' = {
  scope: rg
  params: {
    planName: names.plan
    appName: names.functionApp
    location: location
    tags: tags
    identityId: identity.outputs.apiIdentityId
    identityClientId: identity.outputs.apiClientId
    storageBlobEndpoint: storage.outputs.blobEndpoint
    storageQueueEndpoint: storage.outputs.queueEndpoint
    storageTableEndpoint: storage.outputs.tableEndpoint
    deploymentContainerName: containers.deployment
    applicationInsightsConnectionString: monitoring.outputs.applicationInsightsConnectionString
    taskHubName: taskHubName
    trainingJobId: training.outputs.jobId
    trainingJobContainerName: training.outputs.containerName
    trainingJobReplicaTimeoutSeconds: training.outputs.replicaTimeoutSeconds
    apiAuth: apiAuth
    apiClientId: apiClientId
  }
  // The host needs its storage roles before it starts, or its first start fails on 403s.
  dependsOn: [rbac]
}

module rbac 'app/rbac.bicep' = {
  scope: rg
  params: {
    storageAccountName: names.storage
    applicationInsightsName: names.applicationInsights
    trainingJobName: names.trainingJob
    artifactContainerName: containers.artifacts
    userContainerNames: [containers.artifacts, containers.segmentInput, containers.segmentOutput]
    apiIdentityName: names.apiIdentity
    jobIdentityName: names.jobIdentity
    userPrincipalId: principalId
    userPrincipalType: principalType
  }
  dependsOn: [identity, storage, monitoring, training]
}

module eventGrid 'app/eventgrid.bicep' = {
  scope: rg
  params: {
    name: names.systemTopic
    location: location
    tags: tags
    storageAccountName: names.storage
    deadLetterContainerName: containers.deadLetters
  }
  // The account and the dead-letter container must exist first.
  dependsOn: [storage]
}

module budget 'app/budget.bicep' = {
  scope: rg
  params: {
    name: names.budget
    amount: int(budgetMonthlyAmount)
    contactEmails: budgetEmails
    startDate: budgetStart
  }
}

// azd stores these in the environment (.azure/<env>/.env); the hooks and docs/deployment.md read them.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_CONTAINER_REGISTRY_NAME string = registry.outputs.name
output AZURE_CONTAINER_REGISTRY_ENDPOINT string = registry.outputs.loginServer
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_STORAGE_BLOB_ENDPOINT string = storage.outputs.blobEndpoint
output AZURE_FUNCTION_APP_NAME string = functions.outputs.name
output AZURE_FUNCTION_APP_HOSTNAME string = functions.outputs.defaultHostName
output AZURE_CONTAINER_APPS_ENVIRONMENT_NAME string = training.outputs.environmentName
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
output TRAINING_JOB_NAME string = training.outputs.jobName
output TRAINING_JOB_RESOURCE_ID string = training.outputs.jobId
output TRAINING_GPU_PROFILE string = gpuProfileType
output EVENTGRID_SYSTEM_TOPIC_NAME string = eventGrid.outputs.name
output EVENTGRID_DEADLETTER_CONTAINER_ID string = eventGrid.outputs.deadLetterContainerId
output ARTIFACT_CONTAINER string = containers.artifacts
output SEGMENT_INPUT_CONTAINER string = containers.segmentInput
output SEGMENT_OUTPUT_CONTAINER string = containers.segmentOutput
// Empty while there is no budget, so that one created later starts in its own month.
output BUDGET_START_DATE string = empty(budgetEmails) ? '' : budgetStart
