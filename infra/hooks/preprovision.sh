#!/usr/bin/env bash
# azd preprovision hook: the Entra app registration that represents the HTTP API (Bicep cannot create one offline).
# It declares the app roles of api-app-roles.json (Runs.Start, Runs.Cancel, Models.Activate), gets the identifier URI
# api://<client id> and a service principal, assigns every role to the person running azd, and records the client id
# in the azd environment (API_CLIENT_ID) for main.parameters.json. Running it again changes nothing.
# API_AUTH=keys (azd env set API_AUTH keys) opts out: function keys only, no registration.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
fail() { echo "preprovision: $*" >&2; exit 1; }

mode="${API_AUTH:-entra}"
case "$mode" in
  keys) echo "preprovision: API_AUTH=keys: the API accepts function keys only (no caller identity, no roles)"; exit 0 ;;
  entra) ;;
  *) fail "API_AUTH is '$mode'; it must be 'entra' (default) or 'keys'" ;;
esac
for tool in az azd; do
  command -v "$tool" >/dev/null || fail "'$tool' is not installed (see docs/deployment.md, Prerequisites)"
done
az account show >/dev/null 2>&1 || fail "the Azure CLI is not logged in: run 'az login' (azd and az keep separate logins)"
[ -n "${AZURE_ENV_NAME:-}" ] || fail "AZURE_ENV_NAME is not set: run this hook through 'azd provision' or 'azd up'"

name="maskcontrast-api-$AZURE_ENV_NAME"
app_id="$(az ad app list --display-name "$name" --query '[0].appId' -o tsv)"
if [ -z "$app_id" ]; then
  echo "preprovision: creating the app registration $name"
  app_id="$(az ad app create --display-name "$name" --sign-in-audience AzureADMyOrg \
    --app-roles "@$here/api-app-roles.json" --query appId -o tsv)" \
    || fail "could not create an app registration (your account needs the right to register applications, or use API_AUTH=keys)"
else
  az ad app update --id "$app_id" --app-roles "@$here/api-app-roles.json"
fi
az ad app update --id "$app_id" --identifier-uris "api://$app_id"
sp_id="$(az ad sp list --filter "appId eq '$app_id'" --query '[0].id' -o tsv)"
[ -n "$sp_id" ] || sp_id="$(az ad sp create --id "$app_id" --query id -o tsv)"

# The person deploying may do everything; others get roles with the same call (docs/deployment.md, "Who can do what").
if user_id="$(az ad signed-in-user show --query id -o tsv 2>/dev/null)" && [ -n "$user_id" ]; then
  held="$(az rest --method GET --uri "https://graph.microsoft.com/v1.0/servicePrincipals/$sp_id/appRoleAssignedTo" \
    --query "value[?principalId=='$user_id'].appRoleId" -o tsv)"
  for role_id in $(az ad app show --id "$app_id" --query 'appRoles[].id' -o tsv); do
    case "$held" in *"$role_id"*) continue ;; esac
    az rest --method POST --uri "https://graph.microsoft.com/v1.0/servicePrincipals/$sp_id/appRoleAssignedTo" \
      --body "{\"principalId\":\"$user_id\",\"resourceId\":\"$sp_id\",\"appRoleId\":\"$role_id\"}" >/dev/null
  done
fi

azd env set API_CLIENT_ID "$app_id"
echo "preprovision: API app registration $name, client id $app_id (audience api://$app_id)"
