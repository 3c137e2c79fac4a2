#!/usr/bin/env bash
# Refresh the front-end assets vendored under static/vendor from the npm registry.
set -euo pipefail
cd "$(dirname "$0")/.."
BOOTSTRAP=5.3.8
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack "bootstrap@$BOOTSTRAP" --silent >/dev/null && tar xzf "bootstrap-$BOOTSTRAP.tgz")
target=static/vendor/bootstrap-$BOOTSTRAP
mkdir -p "$target/css" "$target/js"
cp "$work/package/dist/css/bootstrap.min.css"* "$target/css/"
cp "$work/package/dist/js/bootstrap.bundle.min.js"* "$target/js/"
cp "$work/package/LICENSE" "$target/"
echo "vendored bootstrap $BOOTSTRAP into $target"
