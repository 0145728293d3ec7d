#!/usr/bin/env bash
# The one test command (README): restores, builds and runs every test of the solution.
# Extra arguments go to `dotnet test`, e.g. ./test.sh --filter "FullyQualifiedName~Loss".
#
# The storage tests need Azurite (the Azure Storage emulator, pinned in tools/azurite/package-lock.json). This script
# installs it with `npm ci` when missing, starts it on free loopback ports with its data in a temporary folder,
# exports the connection strings below, runs the tests, and always stops Azurite and removes its data:
#   AZURITE_BLOB_CONNECTION   blob endpoint only (artifact store tests)
#   AZURITE_CONNECTION        blob, queue and table endpoints (the Azure Storage durable backend)
set -euo pipefail
cd "$(dirname "$0")"
# libgomp's worker threads busy-wait by default; on 2 shared cores that made training steps 3-10x slower
# (bench/README.md). Passive waiting costs nothing measurable when the cores are free.
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
# Builds and lints the Bicep (fails on any warning) and fetches the CLI that the Infra tests use.
infra/build.sh

AZURITE_DIR="$PWD/tools/azurite"
command -v node >/dev/null && command -v npm >/dev/null \
  || { echo "test.sh needs Node.js (20 or newer) and npm to run Azurite; install them (e.g. apt-get install nodejs npm)." >&2; exit 1; }
if [ ! -x "$AZURITE_DIR/node_modules/.bin/azurite" ]; then
  echo "Installing Azurite (npm ci --prefix tools/azurite)..." >&2
  npm ci --prefix "$AZURITE_DIR" --no-audit --no-fund --loglevel=error >/dev/null
fi

# Ask the kernel for three free loopback ports (another Azurite may already hold the default 10000-10002).
read -r BLOB_PORT QUEUE_PORT TABLE_PORT < <(node -e '
  const net = require("net"); const ports = [];
  const next = () => { const s = net.createServer().listen(0, "127.0.0.1", () => {
    ports.push(s.address().port); s.close(() => ports.length < 3 ? next() : console.log(ports.join(" "))); }); };
  next();')

AZURITE_DATA="$(mktemp -d)"
# --skipApiVersionCheck: Azure.Storage.Blobs 12.30 sends an API version newer than Azurite 3.37 knows.
# --disableTelemetry: with telemetry on, Azurite can ignore SIGTERM after a failed request.
"$AZURITE_DIR/node_modules/.bin/azurite" --silent --disableTelemetry --skipApiVersionCheck --loose \
  --location "$AZURITE_DATA" \
  --blobHost 127.0.0.1 --blobPort "$BLOB_PORT" --queueHost 127.0.0.1 --queuePort "$QUEUE_PORT" \
  --tableHost 127.0.0.1 --tablePort "$TABLE_PORT" >"$AZURITE_DATA/azurite.log" 2>&1 &
AZURITE_PID=$!

stop_azurite() {
  kill "$AZURITE_PID" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$AZURITE_PID" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$AZURITE_PID" 2>/dev/null || true
  rm -rf "$AZURITE_DATA"
}
trap stop_azurite EXIT

for port in "$BLOB_PORT" "$QUEUE_PORT" "$TABLE_PORT"; do
  for _ in $(seq 1 300); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    kill -0 "$AZURITE_PID" 2>/dev/null || { echo "Azurite exited:" >&2; cat "$AZURITE_DATA/azurite.log" >&2; exit 1; }
    sleep 0.1
  done
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "Azurite did not open port $port in 30 s" >&2; exit 1; }
done

# The well-known development account of the emulator (public, not a secret).
ACCOUNT="AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
export AZURITE_BLOB_CONNECTION="DefaultEndpointsProtocol=http;$ACCOUNT;BlobEndpoint=http://127.0.0.1:$BLOB_PORT/devstoreaccount1;"
export AZURITE_CONNECTION="${AZURITE_BLOB_CONNECTION}QueueEndpoint=http://127.0.0.1:$QUEUE_PORT/devstoreaccount1;TableEndpoint=http://127.0.0.1:$TABLE_PORT/devstoreaccount1;"
echo "Azurite $(cat "$AZURITE_DIR/node_modules/azurite/package.json" | node -pe 'JSON.parse(require("fs").readFileSync(0)).version') on 127.0.0.1 ports $BLOB_PORT/$QUEUE_PORT/$TABLE_PORT (pid $AZURITE_PID)" >&2

# Locked mode: every package resolves to the version in the committed packages.lock.json files, or the restore fails
# (after changing a package, refresh them with `dotnet restore MaskContrast.Cloud.sln --force-evaluate`).
dotnet restore MaskContrast.Cloud.sln --locked-mode
dotnet test MaskContrast.Cloud.sln --nologo -c Release --no-restore --logger "console;verbosity=normal" "$@"
