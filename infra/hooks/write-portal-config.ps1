# The web service's predeploy hook (azure.yaml); see write-portal-config.sh for why it builds its own file.
$ErrorActionPreference = 'Stop'
$root = Resolve-Path (Join-Path $PSScriptRoot '../..')
$tsc = Join-Path $root 'portal/node_modules/typescript/bin/tsc'
if (-not (Test-Path $tsc)) { $tsc = Join-Path $root 'node_modules/typescript/bin/tsc' }
if (-not (Test-Path $tsc)) {
  Write-Error 'write-portal-config: no TypeScript in portal/node_modules; run `npm install --prefix portal` (azd''s restore of the web service does).'
  exit 1
}
$out = Join-Path ([System.IO.Path]::GetTempPath()) ([System.Guid]::NewGuid().ToString())
try {
  node $tsc --noCheck --esModuleInterop --module commonjs --target es2022 --outDir $out (Join-Path $root 'dev/writePortalConfig.ts')
  if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
  # Its one dependency (zod, which checks the mail settings) comes from the page's own packages.
  $env:NODE_PATH = Join-Path $root 'portal/node_modules'
  node (Join-Path $out 'writePortalConfig.js') (Join-Path $root 'portal/dist')
  if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
} finally {
  Remove-Item -Recurse -Force -ErrorAction SilentlyContinue $out
}
