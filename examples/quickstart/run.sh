#!/usr/bin/env bash
# Quickstart: builds the provider and the Outposts simulator, starts the simulator on
# 127.0.0.1, installs the provider into a local filesystem mirror so `terraform init`
# works offline, then runs `terraform init` and `terraform apply` on this directory's
# configuration in a scratch copy, shows the result, destroys it and cleans up.
# No AWS account is needed. PROVIDER_BIN / SIMULATOR_BIN skip the build.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
terraform="${TERRAFORM:-terraform}"
command -v "$terraform" >/dev/null || { echo "terraform (1.11+) is required on PATH, or set TERRAFORM" >&2; exit 1; }

if [ -z "${PROVIDER_BIN:-}" ] || [ -z "${SIMULATOR_BIN:-}" ]; then
  echo "==> building the provider and the simulator"
  cargo build --quiet --manifest-path "$root/Cargo.toml" --bins
  PROVIDER_BIN="$root/target/debug/terraform-provider-outposts"
  SIMULATOR_BIN="$root/target/debug/outposts-simulator"
fi
version="$(sed -n 's/^version = "\(.*\)"/\1/p' "$root/Cargo.toml" | sed -n 1p)"
case "$(uname -m)" in x86_64) arch=amd64 ;; aarch64|arm64) arch=arm64 ;; *) arch="$(uname -m)" ;; esac
os="$(uname -s | tr '[:upper:]' '[:lower:]')"

work="$(mktemp -d)"
simulator_pid=""
cleanup() {
  [ -n "$simulator_pid" ] && kill "$simulator_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "==> starting the Outposts simulator"
"$SIMULATOR_BIN" --listen 127.0.0.1:0 >"$work/simulator.out" 2>"$work/simulator.log" &
simulator_pid=$!
for _ in $(seq 1 100); do
  endpoint="$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$work/simulator.out" 2>/dev/null | head -1 || true)"
  [ -n "$endpoint" ] && break
  sleep 0.1
done
[ -n "${endpoint:-}" ] || { echo "the simulator did not start:" >&2; cat "$work/simulator.log" >&2; exit 1; }
echo "    $endpoint"

mirror="$work/mirror/registry.terraform.io/outposts-labs/outposts/$version/${os}_${arch}"
mkdir -p "$mirror" "$work/config"
cp "$PROVIDER_BIN" "$mirror/terraform-provider-outposts_v$version"
cat >"$work/cli.tfrc" <<CFG
provider_installation {
  filesystem_mirror {
    path    = "$work/mirror"
    include = ["registry.terraform.io/outposts-labs/outposts"]
  }
  direct {
    exclude = ["registry.terraform.io/outposts-labs/outposts"]
  }
}
CFG
cp "$here"/*.tf "$work/config/"
cd "$work/config"
export TF_CLI_CONFIG_FILE="$work/cli.tfrc" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
export AWS_ENDPOINT_URL_OUTPOSTS="$endpoint" AWS_EC2_METADATA_DISABLED=true
# The simulator checks that requests are signed; any key pair will do.
export AWS_ACCESS_KEY_ID=quickstart AWS_SECRET_ACCESS_KEY=quickstart AWS_REGION=us-west-2
unset AWS_PROFILE AWS_SESSION_TOKEN

echo "==> terraform init"
"$terraform" init -input=false -no-color >/dev/null
echo "==> terraform apply (starts the capacity task and waits for it)"
"$terraform" apply -input=false -auto-approve -no-color
echo "==> result"
"$terraform" output -no-color
echo "==> terraform plan (nothing left to do)"
"$terraform" plan -input=false -no-color -detailed-exitcode >/dev/null && echo "    no changes"
echo "==> terraform destroy"
"$terraform" destroy -input=false -auto-approve -no-color >/dev/null
echo "==> done (simulator stopped, scratch directory removed)"
