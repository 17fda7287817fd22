#!/usr/bin/env bash
# Runs the Prisma CLI without native engines: the client uses the pg driver adapter (engine "js"),
# so the CLI only needs these variables to point at an existing file to skip its engine download.
set -euo pipefail
export PRISMA_SCHEMA_ENGINE_BINARY="${PRISMA_SCHEMA_ENGINE_BINARY:-$0}"
export PRISMA_QUERY_ENGINE_LIBRARY="${PRISMA_QUERY_ENGINE_LIBRARY:-$0}"
export PRISMA_HIDE_UPDATE_MESSAGE=1
export CHECKPOINT_DISABLE=1
exec npx --no-install prisma "$@"
