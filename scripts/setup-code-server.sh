#!/usr/bin/env bash
# Installs code-server (VS Code's own server + workbench, from the npm registry) into
# .tools/code-server-<version>/ for the end-to-end test (test/e2e/). Follows the verified recipe in
# ../shared/notes/vscode-e2e.md: no GitHub downloads (install scripts skipped, @parcel/watcher from
# the registry, Debian's ripgrep). Idempotent: a finished install leaves a .ok marker and later runs
# return at once. Needs Node 22 on PATH and Debian's chromium + ripgrep + libkrb5-dev
# (STEPLENS_APT=1 installs them with apt-get).
#   scripts/setup-code-server.sh          prints the code-server folder on its last line
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version="${STEPLENS_CODE_SERVER_VERSION:-4.105.1}"
dir="$root/.tools/code-server-$version"
marker="$dir/.ok"
log() { echo "setup-code-server: $*" >&2; }

if [ -f "$marker" ]; then
  echo "$dir"
  exit 0
fi
start=$(date +%s)

if [ "${STEPLENS_APT:-0}" = 1 ]; then
  need=()
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  command -v rg >/dev/null 2>&1 || need+=(ripgrep)
  [ -f /usr/include/gssapi/gssapi.h ] || need+=(libkrb5-dev)
  if [ ${#need[@]} -gt 0 ]; then
    sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    log "apt-get install ${need[*]}"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${need[@]}" >/dev/null
  fi
fi

node_major="$(node -e 'console.log(process.versions.node.split(".")[0])')"
if [ "$node_major" -lt 22 ]; then
  log "code-server $version needs Node 22 on PATH (found $(node -v)); put .tools/node22/node_modules/.bin first"
  exit 1
fi
rg_bin="$(command -v rg || true)"
if [ -z "$rg_bin" ]; then
  log "ripgrep (rg) is missing: apt-get install -y ripgrep (or run with STEPLENS_APT=1)"
  exit 1
fi

rm -rf "$dir"
mkdir -p "$dir"
cd "$dir"
npm_q=(--no-audit --no-fund --loglevel=error)

log "npm install code-server@$version (install scripts skipped: they download from GitHub)"
echo '{"name":"steplens-code-server","private":true}' > package.json
npm install "${npm_q[@]}" --ignore-scripts "code-server@$version" >&2
npm_config_yes=true npm rebuild "${npm_q[@]}" argon2 >&2

vs="$dir/node_modules/code-server/lib/vscode"
cd "$vs"
log "pointing @parcel/watcher at the registry's 2.5.1"
node - <<'EOF'
const fs = require('fs');
const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8'));
for (const k of ['dependencies', 'optionalDependencies', 'devDependencies']) {
  if (pkg[k] && pkg[k]['@parcel/watcher']) pkg[k]['@parcel/watcher'] = '2.5.1';
}
fs.writeFileSync('package.json', JSON.stringify(pkg, null, 2));
if (fs.existsSync('npm-shrinkwrap.json')) {
  const sw = JSON.parse(fs.readFileSync('npm-shrinkwrap.json', 'utf8'));
  const root = sw.packages && sw.packages[''];
  for (const k of ['dependencies', 'optionalDependencies', 'devDependencies']) {
    if (root && root[k] && root[k]['@parcel/watcher']) root[k]['@parcel/watcher'] = '2.5.1';
  }
  const entry = sw.packages && sw.packages['node_modules/@parcel/watcher'];
  if (entry) { entry.version = '2.5.1'; delete entry.resolved; delete entry.integrity; }
  if (sw.dependencies && sw.dependencies['@parcel/watcher']) {
    const d = sw.dependencies['@parcel/watcher']; d.version = '2.5.1'; delete d.resolved; delete d.integrity;
  }
  fs.writeFileSync('npm-shrinkwrap.json', JSON.stringify(sw, null, 2));
}
EOF
log "npm install in lib/vscode (production dependencies)"
npm install "${npm_q[@]}" --omit=dev --ignore-scripts >&2
# With the binary present, @vscode/ripgrep's postinstall skips its GitHub download.
mkdir -p node_modules/@vscode/ripgrep/bin
cp "$rg_bin" node_modules/@vscode/ripgrep/bin/rg
log "npm rebuild (node-pty, @parcel/watcher, spdlog, ...)"
npm_config_yes=true npm rebuild "${npm_q[@]}" >&2
ln -sfn node_modules node_modules.asar
(cd bin/remote-cli && ln -sfn code-linux.sh code-server)
(cd bin/helpers && ln -sfn browser-linux.sh browser.sh)
log "npm install in lib/vscode/extensions"
(cd extensions && npm install "${npm_q[@]}" --omit=dev >&2)

touch "$marker"
log "done in $(( $(date +%s) - start )) s"
echo "$dir"
