# What a rack has now: each host's layout and the vCPUs it uses.
data "outposts_assets" "rack" {
  outpost_identifier = "op-0123456789abcdef0"
  asset_types        = ["COMPUTE"]
}

output "vcpus_free" {
  value = data.outposts_assets.rack.max_vcpus - data.outposts_assets.rack.vcpus_used
}
