# A team that lays out several Outposts at once, one module instance per Outpost, with
# the layouts in a variable file (layouts.auto.tfvars). The Outposts, and the instance
# families it may use on each, are the ones the platform team allows it.
#
# State lives in PostgreSQL (the `pg` backend, which locks it while a command runs), in
# this team's own schema; the platform's outputs are read from the platform's schema.
# Both connection strings come from the PG_CONN_STR environment variable. Endpoint,
# region and credentials come from the usual AWS_* environment variables, so these
# files work unchanged against AWS or the local simulator.

terraform {
  # Variable validations that read the platform's outputs need Terraform 1.9.
  required_version = ">= 1.9"

  backend "pg" {
    schema_name = "outposts_team_fleet"
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
  team = "fleet"
  # This team's Outposts, by ID.
  outposts = try(data.terraform_remote_state.platform.outputs.teams[local.team], {})
}

variable "outposts" {
  description = "Per site: the Outpost (ID or ARN, one the platform team allows this team), its rack order or server asset, and its layout in the instance families allowed there."
  type = map(object({
    outpost  = string
    order_id = optional(string)
    asset_id = optional(string)
    layout   = map(number)
  }))

  # Outposts are compared by ID: provider::outposts::outpost_id() reads an ARN's.
  validation {
    condition = alltrue([
      for s in values(var.outposts) : contains(keys(local.outposts), provider::outposts::outpost_id(s.outpost))
    ])
    error_message = format(
      "The platform team does not allow team %s to lay out %s; it allows: %s.",
      local.team,
      join(", ", [
        for site, s in var.outposts : "${s.outpost} (${site})"
        if !contains(keys(local.outposts), provider::outposts::outpost_id(s.outpost))
      ]),
      length(local.outposts) == 0 ? "none" : join(", ", sort(keys(local.outposts))),
    )
  }

  validation {
    condition = alltrue(flatten([
      for s in values(var.outposts) : [
        for type in keys(s.layout) :
        contains(try(local.outposts[provider::outposts::outpost_id(s.outpost)].instance_families, []), split(".", type)[0])
      ]
    ]))
    error_message = format(
      "The platform team does not allow team %s the instance types %s. It allows the families %s.",
      local.team,
      join(", ", flatten([
        for site, s in var.outposts : [
          for type in sort(keys(s.layout)) : "${type} (${site})"
          if !contains(try(local.outposts[provider::outposts::outpost_id(s.outpost)].instance_families, []), split(".", type)[0])
        ]
      ])),
      join("; ", [for id, outpost in local.outposts : "${join(", ", outpost.instance_families)} on ${id}"]),
    )
  }
}

module "capacity" {
  source   = "registry.platform.internal/platform/outpost-capacity/outposts"
  version  = "~> 1.0"
  for_each = var.outposts

  outpost  = try(local.outposts[provider::outposts::outpost_id(each.value.outpost)].arn, each.value.outpost)
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
