# A team that lays out several Outposts at once, one module instance per Outpost,
# with the layouts in a variable file (layouts.auto.tfvars).
#
# Endpoint, region and credentials come from the usual AWS_* environment variables,
# so these files work unchanged against AWS or the local simulator.

terraform {
  required_version = ">= 1.8"

  required_providers {
    outposts = {
      source = "registry.platform.internal/outposts-labs/outposts"
    }
  }
}

provider "outposts" {}

variable "outposts" {
  description = "Per site: the Outpost (ID or ARN), its rack order or server asset, and its layout."
  type = map(object({
    outpost  = string
    order_id = optional(string)
    asset_id = optional(string)
    layout   = map(number)
  }))
}

module "capacity" {
  source   = "../../modules/outpost-capacity"
  for_each = var.outposts

  outpost  = each.value.outpost
  order_id = each.value.order_id
  asset_id = each.value.asset_id
  layout   = each.value.layout
}

output "tasks" {
  description = "Per site: the Outpost, its task and the task's status."
  value = {
    for site, capacity in module.capacity : site => {
      outpost_id       = capacity.outpost_id
      capacity_task_id = capacity.capacity_task_id
      status           = capacity.status
    }
  }
}
