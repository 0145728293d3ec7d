#!/usr/bin/env bash
# The one test command (README): restores, builds and runs every test of the solution.
# Extra arguments go to `dotnet test`, e.g. ./test.sh --filter "FullyQualifiedName~Loss".
set -euo pipefail
cd "$(dirname "$0")"
# Builds and lints the Bicep (fails on any warning) and fetches the CLI that the Infra tests use.
infra/build.sh
dotnet test MaskContrast.Cloud.sln --nologo -c Release --logger "console;verbosity=normal" "$@"
