#!/usr/bin/env bash
# tests/fresh/test_commands.sh — readme_commands.sh reads the right blocks:
# the ```sh blocks before the first "## " heading, in order, whole, and
# nothing after that heading; a missing block is an error. Run by `make fresh`
# before the containers, so a README edit that moves the commands fails fast.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
t=$(mktemp)
trap 'rm -f "$t"' EXIT
fail=0
expect() { # expect NAME WANT GOT
    if [ "$2" = "$3" ]; then echo "ok - $1"; else echo "not ok - $1: want [$2] got [$3]"; fail=1; fi
}
cat >"$t" <<'MD'
# title

```sh
first one
  and its second line
```

text, then a block of another language, which does not count:

```json
{"not": "a command"}
```

```sh
second
```

## Later

```sh
not a README command
```
MD
expect block_1_is_whole "$(printf 'first one\n  and its second line')" "$("$here/readme_commands.sh" 1 "$t")"
expect block_2_skips_other_languages second "$("$here/readme_commands.sh" 2 "$t")"
if "$here/readme_commands.sh" 3 "$t" >/dev/null 2>&1; then
    expect block_after_heading_is_not_read error none
else
    expect block_after_heading_is_not_read error error
fi
expect repo_readme_command_1_runs_make "yes" "$("$here/readme_commands.sh" 1 | grep -q 'make deps run' && echo yes)"
expect repo_readme_command_2_runs_tests "yes" "$("$here/readme_commands.sh" 2 | grep -q 'make test-deps test' && echo yes)"
exit $fail
