#!/usr/bin/env bash
# Refresh the front-end assets vendored under static/vendor from the npm registry, and axe-core (the
# accessibility checker, for the browser tests only) under tests/e2e/vendor.
set -euo pipefail
cd "$(dirname "$0")/.."
BOOTSTRAP=5.3.8
AXE=4.14.1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack "bootstrap@$BOOTSTRAP" --silent >/dev/null && tar xzf "bootstrap-$BOOTSTRAP.tgz")
target=static/vendor/bootstrap-$BOOTSTRAP
mkdir -p "$target/css" "$target/js"
cp "$work/package/dist/css/bootstrap.min.css"* "$target/css/"
cp "$work/package/dist/js/bootstrap.bundle.min.js"* "$target/js/"
cp "$work/package/LICENSE" "$target/"
echo "vendored bootstrap $BOOTSTRAP into $target"

(cd "$work" && npm pack "axe-core@$AXE" --silent >/dev/null && mkdir axe && tar xzf "axe-core-$AXE.tgz" -C axe)
target=tests/e2e/vendor/axe-core-$AXE
mkdir -p "$target"
cp "$work/axe/package/axe.min.js" "$work/axe/package/LICENSE" "$target/"
echo "vendored axe-core $AXE into $target (browser tests only)"

ALTCHA=3.2.2
(cd "$work" && npm pack "altcha@$ALTCHA" --silent >/dev/null && mkdir altcha && tar xzf "altcha-$ALTCHA.tgz" -C altcha)
target=static/vendor/altcha-$ALTCHA
mkdir -p "$target"
cp "$work/altcha/package/dist/external/altcha.min.js" "$work/altcha/package/dist/external/altcha.css" \
   "$work/altcha/package/dist/workers/sha.js" "$work/altcha/package/LICENSE.txt" "$target/"
echo "vendored altcha $ALTCHA into $target"

# Workbox (the service worker of the installable app): workbox-sw loads its modules from the same folder.
WORKBOX=7.4.1
target=static/vendor/workbox-$WORKBOX
mkdir -p "$target"
for module in workbox-sw workbox-core workbox-routing workbox-strategies workbox-precaching; do
  (cd "$work" && npm pack "$module@$WORKBOX" --silent >/dev/null && mkdir "$module" && tar xzf "$module-$WORKBOX.tgz" -C "$module")
  if [ "$module" = workbox-sw ]; then
    cp "$work/$module/package/build/workbox-sw.js" "$work/$module/package/LICENSE" "$target/"
  else
    cp "$work/$module/package/build/$module.prod.js" "$target/"
  fi
done
echo "vendored workbox $WORKBOX into $target"
