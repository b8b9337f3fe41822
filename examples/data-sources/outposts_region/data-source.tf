data "outposts_region" "current" {}

output "outposts_endpoint" {
  value = data.outposts_region.current.endpoint
}
