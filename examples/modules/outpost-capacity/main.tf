locals {
  outpost_id = provider::outposts::outpost_id(var.outpost)
  exclude    = var.exclude == null ? [] : [var.exclude]
}

# A dry run of the layout: reports whether it fits instead of failing, so the
# precondition below can say what is short in this module's words.
data "outposts_capacity_check" "layout" {
  count = var.check_capacity ? 1 : 0

  outpost_identifier                = var.outpost
  order_id                          = var.order_id
  asset_id                          = var.asset_id
  task_action_on_blocking_instances = var.action_on_blocking_instances

  dynamic "instance_pool" {
    for_each = var.layout
    content {
      instance_type = instance_pool.key
      count         = instance_pool.value
    }
  }

  dynamic "instances_to_exclude" {
    for_each = local.exclude
    content {
      instances   = instances_to_exclude.value.instances
      account_ids = instances_to_exclude.value.account_ids
      services    = instances_to_exclude.value.services
    }
  }
}

resource "outposts_capacity_task" "this" {
  outpost_identifier                = var.outpost
  order_id                          = var.order_id
  asset_id                          = var.asset_id
  task_action_on_blocking_instances = var.action_on_blocking_instances

  dynamic "instance_pool" {
    for_each = var.layout
    content {
      instance_type = instance_pool.key
      count         = instance_pool.value
    }
  }

  dynamic "instances_to_exclude" {
    for_each = local.exclude
    content {
      instances   = instances_to_exclude.value.instances
      account_ids = instances_to_exclude.value.account_ids
      services    = instances_to_exclude.value.services
    }
  }

  dynamic "timeouts" {
    for_each = var.timeouts == null ? [] : [var.timeouts]
    content {
      create = timeouts.value.create
      delete = timeouts.value.delete
    }
  }

  lifecycle {
    precondition {
      condition     = var.order_id == null || var.asset_id == null
      error_message = "Give order_id for a rack or asset_id for a server, not both."
    }

    # Another active task (conflict) is not a capacity problem: the resource itself
    # reports it with the task's name if it is still there at apply.
    precondition {
      condition     = !var.check_capacity || try(data.outposts_capacity_check.layout[0].fits || data.outposts_capacity_check.layout[0].conflict, true)
      error_message = "The layout ${jsonencode(var.layout)} does not fit Outpost ${local.outpost_id}: ${coalesce(try(data.outposts_capacity_check.layout[0].reason, null), "AWS gave no reason")}"
    }
  }
}
