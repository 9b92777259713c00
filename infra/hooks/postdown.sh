#!/bin/sh
# azd's postdown hook (azure.yaml): `azd down` deletes the resource group, but the Entra registrations this template
# made (infra/app/entra.bicep) live in the tenant. This deletes them by uniqueName (the ENTRA_*_UNIQUE_NAME outputs,
# empty when the operator brought their own registrations, which are never touched), and purges them from the
# tenant's deleted items so that nothing is left behind and a later `azd up` of the same environment starts clean.
# Deleting an application deletes its service principal with it, and with that its consent grant and role
# assignments.
set -u
graph=https://graph.microsoft.com
failed=0

for unique_name in "${ENTRA_PORTAL_UNIQUE_NAME:-}" "${ENTRA_API_UNIQUE_NAME:-}"; do
  [ -n "$unique_name" ] || continue
  id=$(az rest --method GET --url "$graph/v1.0/applications(uniqueName='$unique_name')" --query id -o tsv 2>/dev/null) || id=""
  if [ -z "$id" ]; then
    echo "postdown: no application $unique_name (already deleted)"
    continue
  fi
  if az rest --method DELETE --url "$graph/v1.0/applications/$id" >/dev/null &&
    az rest --method DELETE --url "$graph/v1.0/directory/deletedItems/$id" >/dev/null; then
    echo "postdown: deleted the application $unique_name ($id)"
  else
    echo "postdown: FAILED to delete the application $unique_name ($id)" >&2
    echo "  what to do: delete it in the Entra admin center (App registrations, then Deleted applications), or with" >&2
    echo "  az rest --method DELETE --url $graph/v1.0/applications/$id" >&2
    failed=1
  fi
done
exit "$failed"
