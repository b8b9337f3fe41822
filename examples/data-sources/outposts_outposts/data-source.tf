# The active racks of the account in the provider's region.
data "outposts_outposts" "racks" {
  life_cycle_statuses     = ["ACTIVE"]
  supported_hardware_type = "RACK"
}

output "rack_ids" {
  value = data.outposts_outposts.racks.ids
}
