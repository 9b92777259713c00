# azd's postdown hook (azure.yaml) on Windows: deletes and purges the Entra registrations this template made, by
# uniqueName. See postdown.sh for why.
$ErrorActionPreference = 'Continue'
$graph = 'https://graph.microsoft.com'
$failed = $false
foreach ($uniqueName in @($env:ENTRA_PORTAL_UNIQUE_NAME, $env:ENTRA_API_UNIQUE_NAME)) {
  if (-not $uniqueName) { continue }
  $id = az rest --method GET --url "$graph/v1.0/applications(uniqueName='$uniqueName')" --query id -o tsv 2>$null
  if ($LASTEXITCODE -ne 0 -or -not $id) {
    Write-Output "postdown: no application $uniqueName (already deleted)"
    continue
  }
  az rest --method DELETE --url "$graph/v1.0/applications/$id" | Out-Null
  $deleted = $LASTEXITCODE -eq 0
  if ($deleted) { az rest --method DELETE --url "$graph/v1.0/directory/deletedItems/$id" | Out-Null; $deleted = $LASTEXITCODE -eq 0 }
  if ($deleted) {
    Write-Output "postdown: deleted the application $uniqueName ($id)"
  } else {
    [Console]::Error.WriteLine("postdown: FAILED to delete the application $uniqueName ($id)")
    [Console]::Error.WriteLine('  what to do: delete it in the Entra admin center (App registrations, then Deleted applications), or with')
    [Console]::Error.WriteLine("  az rest --method DELETE --url $graph/v1.0/applications/$id")
    $failed = $true
  }
}
if ($failed) { exit 1 }
