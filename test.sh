#!/usr/bin/env bash
# The one test command (README): restores, builds and runs every test of the solution.
# Extra arguments go to `dotnet test`, e.g. ./test.sh --filter "FullyQualifiedName~Loss".
set -euo pipefail
cd "$(dirname "$0")"
dotnet test MaskContrast.Cloud.sln --nologo -c Release --logger "console;verbosity=normal" "$@"
