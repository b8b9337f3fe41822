#!/usr/bin/env bash
# A scheduled drift check: for each Terraform working directory given (default: the
# current one), runs `terraform plan -refresh-only -detailed-exitcode` and reports
# whether the real capacity tasks still match the state.
#
#   drift-check.sh [DIR...]
#
# Exit status, for the scheduler to alert on:
#   0  every directory is in sync
#   2  at least one directory drifted (the changed resources are listed)
#   1  the check itself failed somewhere (terraform's output is shown)
#
# Run it after `terraform init -input=false` in each directory, with the same
# environment (backend credentials, AWS_*) the team's applies use. It takes no state
# lock (`-lock=false`): a refresh-only plan writes nothing, and a check must not block
# or be blocked by a running apply. To accept what changed out of band, run
# `terraform apply -refresh-only` in the drifted directory; to undo it, apply.
# TERRAFORM names the terraform binary (default: terraform on PATH).
set -uo pipefail

tf="${TERRAFORM:-terraform}"
if ! command -v "$tf" >/dev/null; then
  echo "drift-check: $tf is not on PATH (set TERRAFORM=/path/to/terraform)" >&2
  exit 1
fi
[ "$#" -gt 0 ] || set -- .

worst=0
output=$(mktemp)
trap 'rm -f "$output"' EXIT

for dir in "$@"; do
  if [ ! -d "$dir" ]; then
    echo "FAILED   $dir: not a directory"
    worst=1
    continue
  fi
  workspace=$(cd "$dir" && "$tf" workspace show 2>/dev/null) || workspace="?"
  where="$dir (workspace $workspace)"
  (cd "$dir" && "$tf" plan -refresh-only -detailed-exitcode -input=false -lock=false -no-color) \
    >"$output" 2>&1
  code=$?
  case "$code" in
    0)
      echo "IN SYNC  $where"
      ;;
    2)
      echo "DRIFTED  $where: changed outside Terraform:"
      # Terraform names each changed object as "  # ADDRESS has changed" (or "has
      # been deleted").
      sed -n 's/^ *# \(.* has \(changed\|been deleted\)\)$/           \1/p' "$output"
      echo "         accept it with: terraform apply -refresh-only (in $dir)"
      [ "$worst" -eq 1 ] || worst=2
      ;;
    *)
      echo "FAILED   $where: terraform plan exited $code:"
      sed 's/^/         /' "$output"
      worst=1
      ;;
  esac
done
exit "$worst"
