# Requires Terraform 1.12 or later: import by identity.
import {
  to = outposts_capacity_task.compute
  identity = {
    outpost_id       = "op-0123456789abcdef0"
    capacity_task_id = "cap-0123456789abcdef0"
  }
}

# With the account (and, optionally, the region, which must be the provider's), the
# task is imported by its Outpost ARN: write outpost_identifier as the ARN too.
import {
  to = outposts_capacity_task.by_arn
  identity = {
    outpost_id       = "op-0123456789abcdef0"
    capacity_task_id = "cap-0fedcba9876543210"
    account_id       = "123456789012"
    region           = "us-west-2"
  }
}
