# A team that lays out one Outposts rack with the platform team's module, on an Outpost
# the platform team allows it, with the instance families allowed there.
#
# State lives in PostgreSQL (the `pg` backend, which locks it while a command runs), in
# this team's own schema; the platform's outputs are read from the platform's schema.
# Both connection strings come from the PG_CONN_STR environment variable. Endpoint,
# region and credentials come from the usual AWS_* environment variables (AWS_REGION,
# AWS_PROFILE or AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, and AWS_ENDPOINT_URL_OUTPOSTS
# for a private endpoint or the local simulator), so these files work unchanged against
# AWS or the simulator.

terraform {
  # Variable validations that read the platform's outputs need Terraform 1.9.
  required_version = ">= 1.9"

  backend "pg" {
    schema_name = "outposts_team_single_outpost"
  }

  required_providers {
    outposts = {
      source = "registry.platform.internal/outposts-labs/outposts"
    }
  }
}

provider "outposts" {}

# What the platform team allows: per team, Outposts by ID with their ARN and the
# instance families the team may use there.
data "terraform_remote_state" "platform" {
  backend = "pg"
  config = {
    schema_name = "outposts_platform"
  }
}

locals {
  team = "single-outpost"
  # This team's Outposts, by ID.
  outposts = try(data.terraform_remote_state.platform.outputs.teams[local.team], {})
  allowed  = try(local.outposts[var.outpost].instance_families, [])
}

variable "outpost" {
  description = "The rack, by its Outpost ID (op-...): one the platform team allows this team."
  type        = string

  validation {
    condition     = contains(keys(local.outposts), var.outpost)
    error_message = "The platform team does not allow team ${local.team} to lay out ${var.outpost}; it allows: ${length(local.outposts) == 0 ? "none" : join(", ", sort(keys(local.outposts)))}."
  }
}

variable "order_id" {
  description = "The rack's order."
  type        = string
}

variable "layout" {
  description = "Instance type to count, in the instance families the platform team allows on the rack."
  type        = map(number)

  validation {
    condition     = alltrue([for type in keys(var.layout) : contains(local.allowed, split(".", type)[0])])
    error_message = "The platform team allows team ${local.team} only the instance families ${length(local.allowed) == 0 ? "(none)" : join(", ", local.allowed)} on ${var.outpost}; the layout asks for ${join(", ", [for type in sort(keys(var.layout)) : type if !contains(local.allowed, split(".", type)[0])])}."
  }
}

module "capacity" {
  source  = "registry.platform.internal/platform/outpost-capacity/outposts"
  version = "~> 1.0"

  outpost  = try(local.outposts[var.outpost].arn, var.outpost)
  order_id = var.order_id
  layout   = var.layout

  timeouts = {
    create = "12h"
  }
}

output "outpost_arn" {
  description = "The rack's ARN, as the platform team publishes it."
  value       = local.outposts[var.outpost].arn
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
