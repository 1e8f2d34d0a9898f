#!/usr/bin/env bash
# Rebuilds the vendored browser files from the npm registry.
# GraphiQL (the /graphql page) and the React it runs on, as the packages
# publish them (UMD production builds), with each package's licence.
# Run from anywhere; needs npm and tar. Change a version here, run it,
# commit what it writes.
set -euo pipefail
cd "$(dirname "$0")"
GRAPHIQL=3.8.3
REACT=18.2.0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fetch() {  # package version -> unpacked into $work/<package>
    (cd "$work" && npm pack --silent "$1@$2" >/dev/null)
    mkdir -p "$work/$1" && tar -xzf "$work/$1-$2.tgz" -C "$work/$1" --strip-components=1
}
fetch graphiql "$GRAPHIQL"
fetch react "$REACT"
fetch react-dom "$REACT"
rm -rf graphiql react && mkdir -p graphiql react
cp "$work/graphiql/graphiql.min.js" "$work/graphiql/graphiql.min.css" graphiql/
cp "$work/graphiql/LICENSE" graphiql/LICENSE
cp "$work/react/umd/react.production.min.js" react/
cp "$work/react-dom/umd/react-dom.production.min.js" react/
cp "$work/react/LICENSE" react/LICENSE
printf 'graphiql %s\nreact %s\nreact-dom %s\n' "$GRAPHIQL" "$REACT" "$REACT" > VERSIONS
