#!/bin/sh
# The api service's postrestore hook (azure.yaml): the root install is over, so a later plain `npm install` installs
# portal/ again.
set -eu
root=$(CDPATH='' cd -- "$(dirname -- "$0")/../.." && pwd)
rm -f "$root/node_modules/.cache/app-passwords/azd-installs-portal"
