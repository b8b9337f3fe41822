# Requires Terraform 1.14 or later: `terraform query` finds the rack's completed capacity
# tasks; `terraform query -generate-config-out=tasks.tf` writes an import block and a
# resource block for each. The provider block is in the configuration's .tf files.
list "outposts_capacity_task" "completed" {
  provider = outposts

  # Read each task's layout too (one GetCapacityTask per task), so that the results
  # hold each task's full state.
  include_resource = true

  config {
    # Leave it out for the tasks of every Outpost of the account in the region.
    outpost_identifier = "op-0123456789abcdef0"
    statuses           = ["COMPLETED"]
  }
}
