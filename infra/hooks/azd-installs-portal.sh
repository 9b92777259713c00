#!/bin/sh
# The api service's prerestore hook (azure.yaml). azd restores the api (npm install at the root) and the web service
# (npm install in portal/) at the same time; the root postinstall's own install of portal/ would race azd's in
# portal/node_modules (ENOTEMPTY). This marker tells the root postinstall that azd installs the page itself; it is
# honoured only in an install azd runs (AZURE_ENV_NAME set), and the postrestore hook removes it.
set -eu
root=$(CDPATH='' cd -- "$(dirname -- "$0")/../.." && pwd)
mkdir -p "$root/node_modules/.cache/app-passwords"
: >"$root/node_modules/.cache/app-passwords/azd-installs-portal"
