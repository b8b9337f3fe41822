#!/usr/bin/env bash
# Quickstart: builds the provider, installs it into a local filesystem mirror so that
# `terraform init` works offline, then runs `terraform init` and `terraform apply` on
# this directory's configuration in a scratch copy, shows the result and cleans up.
# No AWS account is needed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
terraform="${TERRAFORM:-terraform}"
command -v "$terraform" >/dev/null || { echo "terraform (1.11+) is required on PATH, or set TERRAFORM" >&2; exit 1; }

echo "==> building the provider"
cargo build --quiet --manifest-path "$root/Cargo.toml" --bin terraform-provider-outposts
version="$(sed -n 's/^version = "\(.*\)"/\1/p' "$root/Cargo.toml" | head -1)"
case "$(uname -m)" in x86_64) arch=amd64 ;; aarch64|arm64) arch=arm64 ;; *) arch="$(uname -m)" ;; esac
os="$(uname -s | tr '[:upper:]' '[:lower:]')"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mirror="$work/mirror/registry.terraform.io/outposts-labs/outposts/$version/${os}_${arch}"
mkdir -p "$mirror" "$work/config"
cp "$root/target/debug/terraform-provider-outposts" "$mirror/terraform-provider-outposts_v$version"
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
export AWS_EC2_METADATA_DISABLED=true AWS_REGION="${AWS_REGION:-us-west-2}"

echo "==> terraform init"
"$terraform" init -input=false -no-color >/dev/null
echo "==> terraform apply"
"$terraform" apply -input=false -auto-approve -no-color
echo "==> result"
"$terraform" output -no-color
"$terraform" destroy -input=false -auto-approve -no-color >/dev/null
echo "==> done (scratch directory removed)"
