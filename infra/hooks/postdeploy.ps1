# azd's postdeploy hook (azure.yaml) on Windows: gateway keys and the smoke check. See postdeploy.sh for what each
# step does and why; the two do the same and print the same.
$ErrorActionPreference = 'Continue'
$rg = $env:AZURE_RESOURCE_GROUP
$app = $env:AZURE_FUNCTION_APP_NAME
$portal = $env:PORTAL_URL
$api = "$env:API_BASE_URL".TrimEnd('/')
$attempts = if ($env:APP_PASSWORDS_SMOKE_ATTEMPTS) { [int]$env:APP_PASSWORDS_SMOKE_ATTEMPTS } else { 6 }
$delay = if ($env:APP_PASSWORDS_SMOKE_DELAY_SECONDS) { [int]$env:APP_PASSWORDS_SMOKE_DELAY_SECONDS } else { 10 }
$script:failed = $false

function Fail([string]$what, [string]$todo) {
  [Console]::Error.WriteLine("postdeploy: FAILED $what")
  [Console]::Error.WriteLine("  what to do: $todo")
  $script:failed = $true
}

if (-not $rg -or -not $app -or -not $portal -or -not $api) {
  Fail "the deployment's outputs are missing (AZURE_RESOURCE_GROUP, AZURE_FUNCTION_APP_NAME, PORTAL_URL, API_BASE_URL)" 'run `azd provision`, then `azd deploy`.'
  exit 1
}

# 1. Gateway keys.
$gateways = @("$env:APP_PASSWORDS_GATEWAYS" -split '[,\s]+' | Where-Object { $_ })
foreach ($gateway in $gateways) {
  $existing = @(az functionapp function keys list --resource-group $rg --name $app --function-name verifyAppPassword --query 'keys(@)' -o tsv 2>$null) -split '\s+'
  if ($existing -contains $gateway) {
    Write-Output "postdeploy: gateway key $gateway kept"
  } else {
    az functionapp function keys set --resource-group $rg --name $app --function-name verifyAppPassword --key-name $gateway --query name -o tsv | Out-Null
    if ($LASTEXITCODE -eq 0) { Write-Output "postdeploy: gateway key $gateway created" }
    else { Fail "could not create the gateway key $gateway" "check that you may manage keys on $app (Contributor or Website Contributor), then run ``azd hooks run postdeploy``." }
  }
}
if ($gateways.Count -gt 0) {
  Write-Output 'postdeploy: read a gateway''s key with'
  Write-Output "  az functionapp function keys list --resource-group $rg --name $app --function-name verifyAppPassword --query <gateway> -o tsv"
  Write-Output '  rotate one: add <gateway>-2 to APP_PASSWORDS_GATEWAYS, run `azd hooks run postdeploy`, move the gateway to it,'
  Write-Output "  then ``az functionapp function keys delete --resource-group $rg --name $app --function-name verifyAppPassword --key-name <gateway>``"
}

# 2. Smoke check, each probe retried while the app may still be loading.
function Retry([scriptblock]$probe) {
  for ($n = 1; $n -le $attempts; $n++) {
    try { if (& $probe) { return $true } } catch { }
    if ($n -lt $attempts) { Start-Sleep -Seconds $delay }
  }
  return $false
}
function Status([string]$uri, [string]$method = 'GET') {
  try {
    $body = if ($method -eq 'POST') { '{}' } else { $null }
    (Invoke-WebRequest -Uri $uri -Method $method -Body $body -ContentType 'application/json' -TimeoutSec 20 -SkipHttpErrorCheck -UseBasicParsing).StatusCode
  } catch { 0 }
}

$configMatches = {
  $config = Invoke-RestMethod -Uri "$portal/config.json" -TimeoutSec 20
  $config.clientId -eq $env:PORTAL_CLIENT_ID -and $config.tenantId -eq $env:PORTAL_TENANT_ID -and
    $config.apiScope -eq $env:PORTAL_API_SCOPE -and $config.apiBaseUrl -eq $api
}
if (-not (Retry $configMatches)) {
  Fail "$portal/config.json does not hold this deployment's values" 'run `azd deploy web` (its predeploy hook writes the file from the outputs; `azd env get-values` shows them).'
}

$cors = @(az functionapp cors show --resource-group $rg --name $app --query allowedOrigins -o tsv 2>$null) -split '\s+'
if ($cors -notcontains $portal) {
  Fail "the function app's CORS does not list $portal" 'run `azd provision` (the Bicep sets CORS; a change made with `az functionapp cors` is undone by it).'
}

if (-not (Retry { (Status "$api/openapi.json") -eq 200 })) {
  Fail "$api/openapi.json does not answer 200" 'the app did not load: see its deployment log (Azure portal, Deployment Center), then run `azd deploy api`.'
}
if (-not (Retry { (Status "$api/verify" 'POST') -eq 401 })) {
  Fail "POST $api/verify without a function key is not refused with 401" 'verify must take a function key: check that the app runs this repository''s code (`azd deploy api`).'
}

if ($script:failed) { exit 1 }
Write-Output "postdeploy: smoke check passed: $portal signs in against $api"
