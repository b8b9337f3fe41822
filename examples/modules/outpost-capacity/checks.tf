# Layout drift. A capacity task records a one-off job: once it has COMPLETED, the
# task resource cannot see that the layout was changed later, for example by another
# task started outside Terraform. For a server (asset_id), the check below compares
# the asset's current layout with this module's layout and names every instance type
# whose count differs. Terraform reports a failed check as a warning on plan and
# apply; it never blocks them.
#
# Racks (order_id) are left out: AWS does not say which of an Outpost's assets an
# order's task laid out, so a sum over the Outpost's assets could only approximate
# the rack's layout, and a check that can be wrong would teach teams to ignore it.

# The server's assets, read after the module's task: while the task still has to be
# applied, the read waits for the apply and the check has nothing to compare at plan.
# A module-level read (not one scoped to the check) so the comparison can be written
# once, in locals; a rack reads nothing.
data "outposts_assets" "server" {
  count = var.asset_id == null ? 0 : 1

  outpost_identifier = var.outpost
  asset_types        = ["COMPUTE"]

  depends_on = [outposts_capacity_task.this]
}

locals {
  # The asset's layout now: instance type to count.
  server_layout = var.asset_id == null ? {} : {
    for pool in flatten([
      for asset in data.outposts_assets.server[0].assets : coalesce(asset.instance_type_capacities, [])
      if asset.asset_id == var.asset_id
    ]) : pool.instance_type => pool.count
  }

  # "type: N on the asset, M in the module" for every type whose counts differ.
  server_layout_drift = [
    for type in sort(setunion(keys(var.layout), keys(local.server_layout))) :
    "${type}: ${lookup(local.server_layout, type, 0)} on the asset, ${lookup(var.layout, type, 0)} in the module"
    if lookup(local.server_layout, type, 0) != lookup(var.layout, type, 0)
  ]
}

check "server_layout" {
  assert {
    # Conditionals, not ||: they stop at the first answer, where || would wait for
    # the task's status even for a rack.
    condition     = var.asset_id == null ? true : outposts_capacity_task.this.status != "COMPLETED" ? true : length(local.server_layout_drift) == 0
    error_message = "Asset ${coalesce(var.asset_id, "-")} of Outpost ${local.outpost_id} no longer has this module's layout; it was changed outside this configuration. ${join("; ", local.server_layout_drift)}. Replace this module's capacity task to restore the layout, or change the module's layout to match."
  }
}
