#!/bin/sh
# The web service's predeploy hook (azure.yaml): writes portal/dist/config.json from this deployment's outputs (azd
# hands them to hooks as environment variables) after the page is built, before it is uploaded.
# It builds the one file it runs (dev/writePortalConfig.ts) with the TypeScript that azd has just installed in
# portal/, not with the root build: `azd deploy web` alone on a fresh clone has no root node_modules, and installing
# them here would race the api service's own root install when both are deployed at once.
set -eu
root=$(CDPATH='' cd -- "$(dirname -- "$0")/../.." && pwd)
tsc="$root/portal/node_modules/typescript/bin/tsc"
[ -f "$tsc" ] || tsc="$root/node_modules/typescript/bin/tsc"
if [ ! -f "$tsc" ]; then
  echo "write-portal-config: no TypeScript in portal/node_modules; run \`npm install --prefix portal\` (azd's restore of the web service does)." >&2
  exit 1
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# --noCheck: only the emit is wanted here; the file is type-checked with the project (npm run typecheck).
node "$tsc" --noCheck --esModuleInterop --module commonjs --target es2022 --outDir "$out" "$root/dev/writePortalConfig.ts"
# Its one dependency (zod, which checks the mail settings) comes from the page's own packages.
NODE_PATH="$root/portal/node_modules" node "$out/writePortalConfig.js" "$root/portal/dist"
