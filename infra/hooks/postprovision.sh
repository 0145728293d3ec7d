#!/usr/bin/env bash
# azd postprovision hook: builds the GPU trainer image from cli/Dockerfile inside the registry (az acr build, so no
# local Docker is needed), points the training job at it, and records it in the azd environment (TRAINER_IMAGE) so
# that the next `azd provision` keeps it instead of the placeholder image.
#
# An image whose tag (the git commit) is already in the registry is not rebuilt. Uncommitted changes to what the
# image is built from give a unique "-dirty-<time>" tag.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
repository="maskcontrast-trainer"
fail() { echo "postprovision: $*" >&2; exit 1; }

# Prerequisites first: tools, an Azure CLI login, and the Bicep outputs that azd exports to hooks.
for tool in az azd git; do
  command -v "$tool" >/dev/null || fail "'$tool' is not installed (see docs/deployment.md, Prerequisites)"
done
az account show >/dev/null 2>&1 || fail "the Azure CLI is not logged in: run 'az login' (azd and az keep separate logins)"
for var in AZURE_RESOURCE_GROUP AZURE_CONTAINER_REGISTRY_NAME AZURE_CONTAINER_REGISTRY_ENDPOINT TRAINING_JOB_NAME; do
  [ -n "${!var:-}" ] || fail "$var is not set: run this hook through 'azd provision' or 'azd up', which export the Bicep outputs"
done
[ -f "$root/cli/Dockerfile" ] || fail "cli/Dockerfile not found under $root"
if ! az extension show --name containerapp >/dev/null 2>&1; then
  echo "postprovision: installing the Azure CLI 'containerapp' extension"
  az extension add --name containerapp --only-show-errors
fi

tag="$(git -C "$root" rev-parse --short=12 HEAD 2>/dev/null || echo "nogit")"
if [ "$tag" = "nogit" ] || [ -n "$(git -C "$root" status --porcelain -- cli core build global.json \
     Directory.Build.props Directory.Build.targets Directory.Packages.props .dockerignore 2>/dev/null)" ]; then
  tag="$tag-dirty-$(date -u +%Y%m%d%H%M%S)"
fi
image="$AZURE_CONTAINER_REGISTRY_ENDPOINT/$repository:$tag"

if az acr repository show --name "$AZURE_CONTAINER_REGISTRY_NAME" --image "$repository:$tag" >/dev/null 2>&1; then
  echo "postprovision: $image is already in the registry; not rebuilding"
else
  echo "postprovision: building $image in $AZURE_CONTAINER_REGISTRY_NAME (the CUDA libtorch natives make this slow)"
  az acr build --registry "$AZURE_CONTAINER_REGISTRY_NAME" --image "$repository:$tag" \
    --file "$root/cli/Dockerfile" --timeout 7200 --only-show-errors "$root"
fi

az containerapp job update --name "$TRAINING_JOB_NAME" --resource-group "$AZURE_RESOURCE_GROUP" \
  --image "$image" --only-show-errors >/dev/null
azd env set TRAINER_IMAGE "$image"
echo "postprovision: training job $TRAINING_JOB_NAME now runs $image"
