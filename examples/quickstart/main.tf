terraform {
  required_providers {
    outposts = {
      source = "outposts-labs/outposts"
    }
  }
}

# Region and endpoint come from the environment: run.sh points
# AWS_ENDPOINT_URL_OUTPOSTS at the local simulator.
provider "outposts" {}

# The instance layout a platform team wants on its Outposts rack.
resource "outposts_capacity_task" "gpu_layout" {
  outpost_identifier = "op-0123456789abcdef0"
  order_id           = "oo-0123456789abcdef0"

  # Ask AWS at plan time whether the layout fits the rack.
  dry_run_on_plan = true

  instance_pool {
    instance_type = "g4dn.12xlarge"
    count         = 2
  }
  instance_pool {
    instance_type = "c5.4xlarge"
    count         = 6
  }
}

output "capacity_task_id" {
  value = outposts_capacity_task.gpu_layout.capacity_task_id
}

output "status" {
  value = outposts_capacity_task.gpu_layout.status
}
