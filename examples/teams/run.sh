#!/usr/bin/env bash
# The teams workflow on one machine, against the Outposts simulator, in a scratch
# directory that is removed at the end (with the servers it starts):
#   1. starts the simulator, a PostgreSQL server and the private registry, all on
#      127.0.0.1 (the registry over HTTPS, with a CA made for this run);
#   2. publishes the provider (a signed release) and the shared module 1.0.0 there;
#   3. applies the platform configuration, which publishes each team's Outposts;
#   4. applies the two teams at the same time, each in its own workspace of the
#      PostgreSQL backend, reading the platform through terraform_remote_state;
#   5. runs the scheduled drift check over both teams;
#   6. publishes module 1.1.0, upgrades one team to it, and destroys everything.
# No AWS account is needed. Needs terraform (1.9+), GnuPG (the release is signed) and
# PostgreSQL's server programs (Debian: postgresql). PROVIDER_BIN, SIMULATOR_BIN and
# XTASK_BIN skip the build; TERRAFORM names the terraform binary.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
terraform="${TERRAFORM:-terraform}"

need() { echo "examples/teams/run.sh: $*" >&2; exit 1; }
command -v "$terraform" >/dev/null || need "terraform (1.9+) is required on PATH, or set TERRAFORM"
command -v gpg >/dev/null || need "GnuPG (gpg) is required: the provider release is signed"
if command -v initdb >/dev/null; then
  pg_bin="$(dirname "$(readlink -f "$(command -v initdb)")")"
else
  pg_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
fi
[ -n "$pg_bin" ] && [ -x "$pg_bin/initdb" ] ||
  need "PostgreSQL's server programs (initdb, pg_ctl) are required (Debian: apt-get install postgresql)"
# PostgreSQL refuses to run as root: as root, run it as Debian's postgres user.
as_pg=()
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 ||
    need "running as root, PostgreSQL needs an unprivileged user named postgres (Debian's package makes it)"
  as_pg=(runuser -u postgres --)
fi

if [ -z "${PROVIDER_BIN:-}" ] || [ -z "${SIMULATOR_BIN:-}" ] || [ -z "${XTASK_BIN:-}" ]; then
  echo "==> building the provider, the simulator and xtask"
  cargo build --quiet --manifest-path "$root/Cargo.toml" --workspace --bins
  PROVIDER_BIN="$root/target/debug/terraform-provider-outposts"
  SIMULATOR_BIN="$root/target/debug/outposts-simulator"
  XTASK_BIN="$root/target/debug/xtask"
fi

work="$(mktemp -d)"
chmod 755 "$work" # the postgres user keeps its files under it
pids=()
pg_running=""
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  if [ -n "$pg_running" ]; then
    "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$work/pg/data" -m immediate stop >/dev/null 2>&1 || true
  fi
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "==> starting the Outposts simulator"
"$SIMULATOR_BIN" --listen 127.0.0.1:0 --requested-duration 1s --in-progress-duration 2s --quiet \
  >"$work/simulator.out" 2>"$work/simulator.log" &
pids+=($!)
endpoint=""
for _ in $(seq 1 100); do
  endpoint="$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$work/simulator.out" 2>/dev/null | head -1 || true)"
  [ -n "$endpoint" ] && break
  sleep 0.1
done
[ -n "$endpoint" ] || { cat "$work/simulator.log" >&2; need "the simulator did not start"; }
echo "    $endpoint"

echo "==> starting PostgreSQL (a throwaway cluster; Terraform's pg backend keeps every state)"
mkdir -p "$work/pg"
[ "${#as_pg[@]}" -eq 0 ] || chown postgres "$work/pg"
"${as_pg[@]}" "$pg_bin/initdb" -D "$work/pg/data" -U terraform -A trust -E UTF8 --no-sync \
  >"$work/pg/initdb.log" 2>&1 || { cat "$work/pg/initdb.log" >&2; need "initdb failed"; }
port=""
for _ in 1 2 3 4 5; do
  candidate=$((20000 + RANDOM % 30000))
  if "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$work/pg/data" -l "$work/pg/server.log" -w -t 30 \
    -o "-c listen_addresses=127.0.0.1 -p $candidate -k $work/pg -c fsync=off" start >/dev/null 2>&1; then
    port="$candidate"
    pg_running=1
    break
  fi
done
[ -n "$port" ] || { cat "$work/pg/server.log" >&2; need "PostgreSQL did not start"; }
"$pg_bin/createdb" -h 127.0.0.1 -p "$port" -U terraform terraform_state
export PG_CONN_STR="postgres://terraform@127.0.0.1:$port/terraform_state?sslmode=disable"
echo "    127.0.0.1:$port, database terraform_state"

echo "==> publishing the provider and the module 1.0.0 to the private registry"
"$XTASK_BIN" registry "$work/registry" --binary "$PROVIDER_BIN" >/dev/null
module="$root/examples/modules/outpost-capacity"
"$XTASK_BIN" module-release 1.0.0 --registry "$work/registry" --from "$module" >/dev/null
"$XTASK_BIN" registry serve "$work/registry" --ready-file "$work/registry.ready" \
  >"$work/registry.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do
  [ -s "$work/registry.ready" ] && break
  sleep 0.1
done
[ -s "$work/registry.ready" ] || { cat "$work/registry.log" >&2; need "the registry did not start"; }
# shellcheck disable=SC1091
. "$work/registry.ready"
pids+=("$REGISTRY_PID")
echo "    registry.platform.internal -> $REGISTRY_BASE"

# Terraform finds registry.platform.internal through the CLI configuration's host
# block and trusts the registry's CA; the provider reads the usual AWS_* variables.
export TF_CLI_CONFIG_FILE="$REGISTRY_CLI_CONFIG" SSL_CERT_FILE="$REGISTRY_CA"
export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
export AWS_ENDPOINT_URL_OUTPOSTS="$endpoint" AWS_EC2_METADATA_DISABLED=true
# The simulator checks that requests are signed; any key pair will do.
export AWS_ACCESS_KEY_ID=teams AWS_SECRET_ACCESS_KEY=teams AWS_REGION=us-west-2
unset AWS_PROFILE AWS_SESSION_TOKEN TF_WORKSPACE TF_DATA_DIR TF_PLUGIN_CACHE_DIR
cp -R "$here/platform" "$here/single-outpost" "$here/fleet" "$work/"
tf() { "$terraform" -chdir="$work/$1" "${@:2}"; }

echo "==> platform: terraform init and apply (publishes each team's Outposts)"
tf platform init -input=false -no-color >/dev/null
tf platform apply -input=false -auto-approve -no-color >/dev/null
tf platform output -no-color teams

# Each team applies in a named workspace of its own. A pg backend locks a workspace
# that has no state yet (a first apply in "default") with one lock for the whole
# database, which would make the two first applies wait for each other; `workspace
# new` gives each its own state, and so its own lock, at once.
echo "==> teams: terraform init (the module from the registry, ~> 1.0) and workspace prod"
for team in single-outpost fleet; do
  tf "$team" init -input=false -no-color >/dev/null
  tf "$team" workspace select -or-create -no-color prod >/dev/null
done

echo "==> two teams apply at the same time"
for team in single-outpost fleet; do
  tf "$team" apply -input=false -auto-approve -no-color >"$work/$team.apply.log" 2>&1 &
  eval "apply_${team//-/_}=$!"
done
failed=""
# shellcheck disable=SC2154
wait "$apply_single_outpost" || failed="$failed single-outpost"
# shellcheck disable=SC2154
wait "$apply_fleet" || failed="$failed fleet"
for team in single-outpost fleet; do
  if [[ " $failed " == *" $team "* ]]; then
    echo "    $team: the apply failed:" >&2
    cat "$work/$team.apply.log" >&2
  else
    sed -n "s/^\(Apply complete!.*\)/    $team: \1/p" "$work/$team.apply.log"
  fi
done
[ -z "$failed" ] || need "the apply of$failed failed"
echo "--- single-outpost"
tf single-outpost output -no-color
echo "--- fleet"
tf fleet output -no-color

echo "==> the scheduled drift check (examples/teams/drift-check.sh)"
drift=0
(cd "$work" && bash "$here/drift-check.sh" single-outpost fleet) || drift=$?
[ "$drift" -eq 0 ] || need "the drift check exited $drift right after the applies"

echo "==> module 1.1.0 published; single-outpost upgrades, fleet stays"
"$XTASK_BIN" module-release 1.1.0 --registry "$work/registry" --from "$module" >/dev/null
tf fleet init -input=false -no-color >/dev/null
tf single-outpost init -upgrade -input=false -no-color >/dev/null
for team in single-outpost fleet; do
  version="$(grep -o '"Key":"capacity","Source":"[^"]*","Version":"[^"]*"' \
    "$work/$team/.terraform/modules/modules.json" | sed 's/.*"Version":"//; s/"$//')"
  echo "    $team: module outpost-capacity $version"
done
tf single-outpost plan -input=false -no-color -detailed-exitcode >/dev/null &&
  echo "    single-outpost: no changes with the new module version"

echo "==> terraform destroy (both teams, then the platform)"
for team in single-outpost fleet; do
  tf "$team" destroy -input=false -auto-approve -no-color | sed -n "s/^\(Destroy complete!.*\)/    $team: \1/p"
done
tf platform destroy -input=false -auto-approve -no-color >/dev/null
echo "==> done (simulator, PostgreSQL and registry stopped; scratch directory removed)"
