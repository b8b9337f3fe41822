# The platform team's configuration: which Outposts each application team may lay out,
# and which instance families it may use on each. It starts no capacity task itself;
# the teams (../single-outpost, ../fleet) read its outputs with `terraform_remote_state`
# and lay out their Outposts with the shared module.
#
# State lives in PostgreSQL (the `pg` backend, which locks it while a command runs). The
# connection string comes from the PG_CONN_STR environment variable, so no password is
# written here. Endpoint, region and credentials come from the usual AWS_* variables.

terraform {
  required_version = ">= 1.9"

  backend "pg" {
    schema_name = "outposts_platform"
  }

  required_providers {
    outposts = {
      source = "registry.platform.internal/outposts-labs/outposts"
    }
  }
}

provider "outposts" {}

variable "teams" {
  description = "Per team: the Outposts it may lay out, by ID (op-...), and for each the instance families it may use there, e.g. { fleet = { \"op-0123456789abcdef0\" = [\"c5\", \"m5\"] } }."
  type        = map(map(list(string)))
  nullable    = false

  validation {
    condition     = alltrue(flatten([for outposts in values(var.teams) : [for id in keys(outposts) : can(regex("^op-[a-f0-9]{17}$", id))]]))
    error_message = "Name each Outpost by its ID, such as op-0123456789abcdef0."
  }

  validation {
    condition     = alltrue(flatten([for outposts in values(var.teams) : [for families in values(outposts) : [for f in families : can(regex("^[a-z][a-z0-9-]*$", f))]]]))
    error_message = "Instance families are written in lower case without a size, such as c5 or g4dn."
  }
}

# Every active Outpost of the account in the provider's region.
data "outposts_outposts" "active" {
  life_cycle_statuses = ["ACTIVE"]
}

locals {
  active  = { for outpost in data.outposts_outposts.active.outposts : outpost.id => outpost }
  granted = toset(flatten([for outposts in values(var.teams) : keys(outposts)]))
  missing = setsubtract(local.granted, keys(local.active))
}

# What each granted Outpost can run: the instance families of its compute assets.
data "outposts_assets" "granted" {
  for_each = setintersection(local.granted, keys(local.active))

  outpost_identifier = each.key
  asset_types        = ["COMPUTE"]
}

locals {
  families = { for id, found in data.outposts_assets.granted : id => toset(flatten(found.assets[*].instance_families)) }
  # Families the allow-list names that an Outpost has no asset for.
  unavailable = flatten([
    for team, outposts in var.teams : [
      for id, families in outposts : [
        for family in families : "${family} on ${id} (${team})" if !contains(lookup(local.families, id, [family]), family)
      ]
    ]
  ])
}

output "teams" {
  description = "Per team, the Outposts it may lay out, by ID: each Outpost's id, arn, name, hardware_type (RACK or SERVER) and the instance_families the team may use there."
  value = {
    for team, outposts in var.teams : team => {
      for id, families in outposts : id => {
        id                = id
        arn               = try(local.active[id].arn, null)
        name              = try(local.active[id].name, null)
        hardware_type     = try(local.active[id].supported_hardware_type, null)
        instance_families = sort(distinct(families))
      }
    }
  }

  precondition {
    condition     = length(local.missing) == 0
    error_message = "No active Outpost in this account and region has the ID ${join(", ", sort(local.missing))}."
  }

  precondition {
    condition     = length(local.unavailable) == 0
    error_message = "The allow-list names instance families these Outposts have no assets for: ${join(", ", local.unavailable)}."
  }
}
