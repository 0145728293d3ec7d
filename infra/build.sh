#!/usr/bin/env bash
# Builds and lints the Bicep offline with the Bicep CLI from its NuGet package, and fails on any diagnostic
# (error, warning or info) from either step, because `bicep` itself exits 0 on warnings.
#
#   infra/build.sh [--out DIR]     DIR receives main.json (default: a temporary folder, removed on exit)
#
# The CLI is fetched once by restoring infra/tools/BicepCli.proj (a PackageDownload, version pinned there) into the
# NuGet cache; .tools/bicep/bicep then links to it, for tests/MaskContrast.Tests/Infra/InfraTemplateTests.cs.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="${2:?--out needs a folder}"; shift 2 ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "infra/build.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

command -v dotnet >/dev/null || { echo "infra/build.sh: the .NET SDK (dotnet) is required to fetch the Bicep CLI" >&2; exit 1; }

tool_project="$root/infra/tools/BicepCli.proj"
dotnet restore "$tool_project" --nologo --verbosity quiet >/dev/null
bicep="$(dotnet msbuild "$tool_project" -nologo -getProperty:BicepExe)"
[ -f "$bicep" ] || { echo "infra/build.sh: Bicep CLI not found at '$bicep' after restore" >&2; exit 1; }
chmod +x "$bicep"
mkdir -p "$root/.tools/bicep"
ln -sfn "$bicep" "$root/.tools/bicep/bicep"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
out="${out:-$work}"
mkdir -p "$out"
log="$work/bicep.log"

cd "$root"
status=0
"$bicep" build infra/main.bicep --outfile "$out/main.json" >"$log" 2>&1 || status=$?
"$bicep" lint --pattern 'infra/**/*.bicep' >>"$log" 2>&1 || status=$?

# Both commands are silent when there is nothing to report, so any output at all is a diagnostic
# ("path(line,col) : Warning rule: message") and fails the build.
if [ "$status" -ne 0 ] || [ -s "$log" ]; then
  sort -u "$log" >&2
  echo "infra/build.sh: FAILED: Bicep reported diagnostics (exit code $status); every warning counts." >&2
  exit 1
fi
echo "infra/build.sh: $("$bicep" --version) built and linted infra/ with no diagnostics -> $out/main.json"
