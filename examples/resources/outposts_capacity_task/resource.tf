resource "outposts_capacity_task" "compute" {
  outpost_identifier = "op-0123456789abcdef0"
  order_id           = "oo-0123456789abcdef0"

  # Check the layout against the rack's capacity during terraform plan.
  dry_run_on_plan = true

  # Wait for running instances to be moved instead of failing at once.
  task_action_on_blocking_instances = "WAIT_FOR_EVACUATION"

  instance_pool {
    instance_type = "c5.4xlarge"
    count         = 6
  }
  instance_pool {
    instance_type = "m5.xlarge"
    count         = 12
  }

  instances_to_exclude {
    services = ["EKS"]
  }

  timeouts {
    create = "12h"
    delete = "30m"
  }
}
