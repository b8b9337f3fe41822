# A team that lays out one Outposts rack with the platform team's module.
#
# Endpoint, region and credentials come from the usual AWS_* environment variables
# (AWS_REGION, AWS_PROFILE or AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, and
# AWS_ENDPOINT_URL_OUTPOSTS for a private endpoint or the local simulator), so these
# files work unchanged against AWS or the simulator.

terraform {
  required_version = ">= 1.8"

  required_providers {
    outposts = {
      source = "registry.platform.internal/outposts-labs/outposts"
    }
  }
}

provider "outposts" {}

variable "outpost" {
  description = "The rack: its Outpost ID or ARN."
  type        = string
}

variable "order_id" {
  description = "The rack's order."
  type        = string
}

variable "layout" {
  description = "Instance type to count."
  type        = map(number)
}

module "capacity" {
  source = "../../modules/outpost-capacity"

  outpost  = var.outpost
  order_id = var.order_id
  layout   = var.layout

  timeouts = {
    create = "12h"
  }
}

output "capacity_task_id" {
  value = module.capacity.capacity_task_id
}

output "status" {
  value = module.capacity.status
}

output "layout" {
  value = module.capacity.layout
}
