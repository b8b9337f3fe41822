# The instance types a capacity task may ask for on a rack order.
data "outposts_supported_instance_types" "rack" {
  outpost_identifier = "op-0123456789abcdef0"
  order_id           = "oo-0123456789abcdef0"
}

variable "layout" {
  type = map(number)
}

resource "outposts_capacity_task" "layout" {
  outpost_identifier = "op-0123456789abcdef0"
  order_id           = "oo-0123456789abcdef0"

  dynamic "instance_pool" {
    for_each = var.layout
    content {
      instance_type = instance_pool.key
      count         = instance_pool.value
    }
  }

  lifecycle {
    precondition {
      condition     = alltrue([for t in keys(var.layout) : contains(data.outposts_supported_instance_types.rack.names, t)])
      error_message = "The rack supports only: ${join(", ", data.outposts_supported_instance_types.rack.names)}."
    }
  }
}
