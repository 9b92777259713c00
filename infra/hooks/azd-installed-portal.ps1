# The api service's postrestore hook (azure.yaml); see azd-installed-portal.sh.
$ErrorActionPreference = 'Stop'
$root = Resolve-Path (Join-Path $PSScriptRoot '../..')
Remove-Item -Force -ErrorAction SilentlyContinue -Path (Join-Path $root 'node_modules/.cache/app-passwords/azd-installs-portal')
