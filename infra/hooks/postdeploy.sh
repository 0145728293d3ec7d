#!/usr/bin/env bash
# azd postdeploy hook: subscribes the Function app's Event Grid-sourced blob triggers to BlobCreated events:
#   - segment-input/*            → the function that segments dropped images;
#   - maskcontrast/runs/**.json  → EpochRecordWritten, which wakes a run waiting for its Container Apps epoch job.
# It runs after deploy because the webhook URL carries the blobs_extension system key, which exists only once the
# deployed app has started. Re-running it updates the same subscriptions.
#
# Events that Event Grid cannot deliver (30 attempts within 24 h) are dead-lettered into the container
# EVENTGRID_DEADLETTER_CONTAINER_ID names, written by the system topic's identity (infra/app/eventgrid.bicep).
#
# Each trigger function is found by its binding (blobTrigger on '<container>/...'); set SEGMENT_BLOB_FUNCTION_NAME or
# EPOCH_RECORD_FUNCTION_NAME (azd env set ...) to name one explicitly.
set -euo pipefail

fail() { echo "postdeploy: $*" >&2; exit 1; }

# Prerequisites first: tools, an Azure CLI login, and the Bicep outputs that azd exports to hooks.
command -v az >/dev/null || fail "the Azure CLI 'az' is not installed (see docs/deployment.md, Prerequisites)"
az account show >/dev/null 2>&1 || fail "the Azure CLI is not logged in: run 'az login' (azd and az keep separate logins)"
for var in AZURE_RESOURCE_GROUP AZURE_FUNCTION_APP_NAME EVENTGRID_SYSTEM_TOPIC_NAME EVENTGRID_DEADLETTER_CONTAINER_ID SEGMENT_INPUT_CONTAINER ARTIFACT_CONTAINER; do
  [ -n "${!var:-}" ] || fail "$var is not set: run this hook through 'azd deploy' or 'azd up', which export the Bicep outputs"
done

group="$AZURE_RESOURCE_GROUP"
app="$AZURE_FUNCTION_APP_NAME"

# The key appears once the host has loaded the blob extension, which can take a minute after a deploy.
key=""
for attempt in $(seq 1 18); do
  key="$(az functionapp keys list --resource-group "$group" --name "$app" --query systemKeys.blobs_extension -o tsv 2>/dev/null || true)"
  [ -n "$key" ] && break
  echo "postdeploy: waiting for the blobs_extension system key ($attempt/18)"
  sleep 10
done
[ -n "$key" ] || fail "the blobs_extension system key did not appear on $app; check that the app started (Application Insights, Log stream)"
host="$(az functionapp show --resource-group "$group" --name "$app" --query defaultHostName -o tsv)"

# subscribe <container> <blob path prefix inside it> <subject suffix or ''> <function name or ''>
subscribe() {
  local container="$1" prefix="$2" suffix="$3" function_name="$4"
  local subscription="$container-blob-created"
  if [ -z "$function_name" ]; then
    # Listed names look like '<app>/<function>'.
    function_name="$(az functionapp function list --resource-group "$group" --name "$app" \
      --query "[?config.bindings[?type=='blobTrigger' && starts_with(path, '$container/')]] | [0].name" -o tsv)"
    function_name="${function_name##*/}"
  fi
  [ -n "$function_name" ] || fail "no blob-triggered function on '$container/' in $app: deploy the app first, or name it (see the header)"
  # Never echo the endpoint: it contains the key.
  local endpoint="https://$host/runtime/webhooks/blobs?functionName=Host.Functions.$function_name&code=$key"
  local subject="/blobServices/default/containers/$container/blobs/$prefix"
  local filters=(--included-event-types Microsoft.Storage.BlobCreated --subject-begins-with "$subject")
  # Create and update alike, so that a subscription made before dead-lettering existed gets it too.
  local deadletter=(--deadletter-identity systemassigned --deadletter-identity-endpoint "$EVENTGRID_DEADLETTER_CONTAINER_ID")
  [ -n "$suffix" ] && filters+=(--subject-ends-with "$suffix")
  # Delivery settings can only be chosen when the subscription is created; an update changes the endpoint and filters.
  local verb create_only=()
  if az eventgrid system-topic event-subscription show --name "$subscription" --resource-group "$group" \
       --system-topic-name "$EVENTGRID_SYSTEM_TOPIC_NAME" >/dev/null 2>&1; then
    verb="update"
  else
    verb="create"
    create_only=(--endpoint-type webhook --max-delivery-attempts 30 --event-ttl 1440)
  fi
  # ${a[@]+...} keeps an empty array legal under `set -u` in the bash 3.2 that macOS ships.
  az eventgrid system-topic event-subscription "$verb" --name "$subscription" --resource-group "$group" \
    --system-topic-name "$EVENTGRID_SYSTEM_TOPIC_NAME" --endpoint "$endpoint" \
    ${create_only[@]+"${create_only[@]}"} "${filters[@]}" "${deadletter[@]}" --only-show-errors >/dev/null
  echo "postdeploy: BlobCreated under $container/$prefix now triggers $function_name ($verb of $subscription)"
}

subscribe "$SEGMENT_INPUT_CONTAINER" "" "" "${SEGMENT_BLOB_FUNCTION_NAME:-}"
subscribe "$ARTIFACT_CONTAINER" "runs/" ".json" "${EPOCH_RECORD_FUNCTION_NAME:-EpochRecordWritten}"
