variable "outpost" {
  description = "The Outpost to lay out: its ID (op-...) or ARN."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^(arn:aws([a-z-]+)?:outposts:[a-z0-9-]+:[0-9]{12}:outpost/)?op-[a-f0-9]{17}$", var.outpost))
    error_message = "The outpost must be an Outpost ID such as op-0123456789abcdef0 or its ARN."
  }
}

variable "order_id" {
  description = "For a rack: the order (oo-...) whose capacity the layout applies to."
  type        = string
  default     = null

  validation {
    condition     = var.order_id == null || can(regex("^oo-[a-f0-9]{17}$", var.order_id))
    error_message = "The order_id must look like oo-0123456789abcdef0."
  }
}

variable "asset_id" {
  description = "For a server: the 10-digit asset ID the layout applies to. Not with order_id."
  type        = string
  default     = null

  validation {
    condition     = var.asset_id == null || can(regex("^[0-9]{10}$", var.asset_id))
    error_message = "The asset_id must be 10 digits."
  }
}

variable "layout" {
  description = "The instance layout: a map of EC2 instance type to how many instances of it, e.g. { \"c5.4xlarge\" = 6 }."
  type        = map(number)
  nullable    = false

  validation {
    condition     = length(var.layout) > 0
    error_message = "The layout needs at least one instance type."
  }

  validation {
    condition     = alltrue([for t in keys(var.layout) : can(regex("^[a-z0-9-]+\\.[a-z0-9-]+$", t))])
    error_message = "Every key of layout must be an EC2 instance type in lower case, such as c5.4xlarge."
  }

  validation {
    condition     = alltrue([for n in values(var.layout) : n >= 0 && n <= 9999 && floor(n) == n])
    error_message = "Every count in layout must be a whole number from 0 to 9999."
  }
}

variable "exclude" {
  description = "Running instances the task may leave in place: instance IDs, account IDs and AWS services."
  type = object({
    instances   = optional(list(string), [])
    account_ids = optional(list(string), [])
    services    = optional(list(string), [])
  })
  default = null

  validation {
    condition = var.exclude == null || alltrue(concat(
      [for i in try(var.exclude.instances, []) : can(regex("^i-[0-9a-z]+$", i))],
      [for a in try(var.exclude.account_ids, []) : can(regex("^[0-9]{12}$", a))],
      [for s in try(var.exclude.services, []) : contains(["AWS", "EC2", "EKS", "ELASTICACHE", "ELB", "RDS", "ROUTE53"], s)],
    ))
    error_message = "exclude holds instance IDs (i-...), 12-digit account IDs and services among AWS, EC2, EKS, ELASTICACHE, ELB, RDS, ROUTE53."
  }
}

variable "action_on_blocking_instances" {
  description = "What the task does when running instances block it: WAIT_FOR_EVACUATION or FAIL_TASK."
  type        = string
  default     = "WAIT_FOR_EVACUATION"
  nullable    = false

  validation {
    condition     = contains(["WAIT_FOR_EVACUATION", "FAIL_TASK"], var.action_on_blocking_instances)
    error_message = "action_on_blocking_instances must be WAIT_FOR_EVACUATION or FAIL_TASK."
  }
}

variable "timeouts" {
  description = "How long to wait for the task (create) and for a cancellation (delete), e.g. { create = \"12h\" }."
  type = object({
    create = optional(string)
    delete = optional(string)
  })
  default = null
}

variable "check_capacity" {
  description = "Ask AWS at plan time whether the layout fits (a dry run), and stop the plan with the shortfall when it does not."
  type        = bool
  default     = true
  nullable    = false
}
