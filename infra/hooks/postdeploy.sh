#!/bin/sh
# azd's postdeploy hook (azure.yaml), after both services are deployed:
#  1. one function key for verify per mail gateway named in APP_PASSWORDS_GATEWAYS (comma- or space-separated),
#     created when missing and kept when present, so a redeployment never changes a gateway's key;
#  2. a smoke check of what `azd up` promised: the page's config.json has this deployment's values, CORS lists the
#     page, openapi.json answers, and verify without a key is refused (401).
# It prints what failed and what to do, and fails the command when anything did. It never prints a key.
# APP_PASSWORDS_SMOKE_ATTEMPTS and APP_PASSWORDS_SMOKE_DELAY_SECONDS (6 and 10) cover a function app that is still
# starting after its remote build.
set -u

rg=${AZURE_RESOURCE_GROUP:-}
app=${AZURE_FUNCTION_APP_NAME:-}
portal=${PORTAL_URL:-}
api=${API_BASE_URL:-}
attempts=${APP_PASSWORDS_SMOKE_ATTEMPTS:-6}
delay=${APP_PASSWORDS_SMOKE_DELAY_SECONDS:-10}
failed=0

fail() {
  echo "postdeploy: FAILED $1" >&2
  echo "  what to do: $2" >&2
  failed=1
}

if [ -z "$rg" ] || [ -z "$app" ] || [ -z "$portal" ] || [ -z "$api" ]; then
  fail "the deployment's outputs are missing (AZURE_RESOURCE_GROUP, AZURE_FUNCTION_APP_NAME, PORTAL_URL, API_BASE_URL)" \
    "run \`azd provision\`, then \`azd deploy\`."
  exit 1
fi

# 1. Gateway keys.
gateways=$(printf '%s' "${APP_PASSWORDS_GATEWAYS:-}" | tr ',' ' ')
for gateway in $gateways; do
  existing=$(az functionapp function keys list --resource-group "$rg" --name "$app" \
    --function-name verifyAppPassword --query "keys(@)" -o tsv 2>/dev/null) || existing=""
  if printf '%s\n' $existing | grep -qx -- "$gateway"; then
    echo "postdeploy: gateway key $gateway kept"
  elif az functionapp function keys set --resource-group "$rg" --name "$app" \
    --function-name verifyAppPassword --key-name "$gateway" --query name -o tsv >/dev/null; then
    echo "postdeploy: gateway key $gateway created"
  else
    fail "could not create the gateway key $gateway" \
      "check that you may manage keys on $app (Contributor or Website Contributor), then run \`azd hooks run postdeploy\`."
  fi
done
if [ -n "$gateways" ]; then
  echo "postdeploy: read a gateway's key with"
  echo "  az functionapp function keys list --resource-group $rg --name $app --function-name verifyAppPassword --query <gateway> -o tsv"
  echo "  rotate one: add <gateway>-2 to APP_PASSWORDS_GATEWAYS, run \`azd hooks run postdeploy\`, move the gateway to it,"
  echo "  then \`az functionapp function keys delete --resource-group $rg --name $app --function-name verifyAppPassword --key-name <gateway>\`"
fi

# 2. Smoke check. Each probe is retried: right after a deployment the app may still be loading.
status() {
  curl -s -o /dev/null -w '%{http_code}' --max-time 20 "$@" 2>/dev/null || printf '000'
}
retry() {
  n=1
  while :; do
    if "$@"; then return 0; fi
    [ "$n" -ge "$attempts" ] && return 1
    n=$((n + 1))
    sleep "$delay"
  done
}

config_matches() {
  config=$(curl -fsS --max-time 20 "$portal/config.json" 2>/dev/null) || return 1
  for pair in "clientId:${PORTAL_CLIENT_ID:-}" "tenantId:${PORTAL_TENANT_ID:-}" "apiScope:${PORTAL_API_SCOPE:-}" \
    "apiBaseUrl:${api%/}"; do
    printf '%s' "$config" | grep -qF -- "\"${pair%%:*}\": \"${pair#*:}\"" || return 1
  done
}
retry config_matches || fail "$portal/config.json does not hold this deployment's values" \
  "run \`azd deploy web\` (its predeploy hook writes the file from the outputs; \`azd env get-values\` shows them)."

cors=$(az functionapp cors show --resource-group "$rg" --name "$app" --query allowedOrigins -o tsv 2>/dev/null) || cors=""
printf '%s\n' $cors | grep -qxF -- "$portal" || fail "the function app's CORS does not list $portal" \
  "run \`azd provision\` (the Bicep sets CORS; a change made with \`az functionapp cors\` is undone by it)."

openapi_answers() { [ "$(status "$api/openapi.json")" = 200 ]; }
retry openapi_answers || fail "$api/openapi.json does not answer 200" \
  "the app did not load: see its deployment log (Azure portal, Deployment Center), then run \`azd deploy api\`."

verify_refused() {
  [ "$(status -X POST -H 'Content-Type: application/json' -d '{}' "$api/verify")" = 401 ]
}
retry verify_refused || fail "POST $api/verify without a function key is not refused with 401" \
  "verify must take a function key: check that the app runs this repository's code (\`azd deploy api\`)."

if [ "$failed" -ne 0 ]; then exit 1; fi
echo "postdeploy: smoke check passed: $portal signs in against $api"
