#!/usr/bin/env bash
# Scaffolds an internal workspace library: new-lib.sh <dir> <package-name> <tags,comma,separated>
set -euo pipefail
dir=$1; name=$2; tags=$3
mkdir -p "$dir/src"
depth=$(echo "$dir" | awk -F/ '{print NF}')
up=$(printf '../%.0s' $(seq 1 "$depth"))
cat > "$dir/package.json" <<JSON
{
  "name": "$name",
  "version": "0.1.0",
  "private": true,
  "type": "module",
  "exports": { ".": "./src/index.ts" }
}
JSON
tagjson=$(echo "$tags" | awk -F, '{for(i=1;i<=NF;i++){printf "%s\"%s\"", (i>1?", ":""), $i}}')
cat > "$dir/project.json" <<JSON
{
  "name": "$name",
  "\$schema": "${up}node_modules/nx/schemas/project-schema.json",
  "sourceRoot": "$dir/src",
  "projectType": "library",
  "tags": [$tagjson],
  "targets": { "typecheck": {}, "lint": {}, "test": {} }
}
JSON
cat > "$dir/tsconfig.json" <<JSON
{
  "extends": "${up}tsconfig.base.json",
  "include": ["src/**/*.ts", "test/**/*.ts"]
}
JSON
cat > "$dir/vitest.config.ts" <<TS
export { default } from '${up}vitest.shared.ts';
TS
[ -f "$dir/src/index.ts" ] || echo "export {};" > "$dir/src/index.ts"
