#!/usr/bin/env bash
# tests/fresh/readme_commands.sh — print one of the README's first commands.
#
#   tests/fresh/readme_commands.sh 1     # the command that gets crudd running
#   tests/fresh/readme_commands.sh 2     # the command that runs the tests
#   tests/fresh/readme_commands.sh 1 README.md
#
# The commands are the ```sh blocks of README.md before its first "## "
# heading, in order; the fresh-machine test runs exactly these, so the README
# and the test can never drift. Exits 1 (with a message) when the README does
# not have that many such blocks, or a block is empty.
set -euo pipefail
n=${1:?usage: readme_commands.sh N [README]}
readme=${2:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/README.md}
out=$(awk -v want="$n" '
    /^## / { exit }
    /^```sh[[:space:]]*$/ { inblock = 1; count++; next }
    /^```/ && inblock { inblock = 0; next }
    inblock && count == want { print }
' "$readme")
if [ -z "$out" ]; then
    echo "readme_commands.sh: $readme has no sh code block number $n before its first '## ' heading" >&2
    exit 1
fi
printf '%s\n' "$out"
