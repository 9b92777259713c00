# The api service's prerestore hook (azure.yaml); see azd-installs-portal.sh for why.
$ErrorActionPreference = 'Stop'
$root = Resolve-Path (Join-Path $PSScriptRoot '../..')
$dir = Join-Path $root 'node_modules/.cache/app-passwords'
New-Item -ItemType Directory -Force -Path $dir | Out-Null
New-Item -ItemType File -Force -Path (Join-Path $dir 'azd-installs-portal') | Out-Null
