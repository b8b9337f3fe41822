# Runs against whatever the AWS_* environment points at: the project's tests point
# AWS_ENDPOINT_URL_OUTPOSTS at the local Outposts simulator and its built-in world
# (the quickstart rack op-0123456789abcdef0 with order oo-0123456789abcdef0).

variables {
  outpost  = "op-0123456789abcdef0"
  order_id = "oo-0123456789abcdef0"
  layout = {
    "c5.4xlarge" = 2
    "m5.xlarge"  = 8
  }
}

run "rejects_a_malformed_outpost" {
  command = plan

  variables {
    outpost = "op-123"
  }

  expect_failures = [var.outpost]
}

run "rejects_a_malformed_layout" {
  command = plan

  variables {
    layout = {
      "C5 large" = 2
    }
  }

  expect_failures = [var.layout]
}

run "rejects_counts_out_of_range" {
  command = plan

  variables {
    layout = {
      "c5.large" = 10000
    }
  }

  expect_failures = [var.layout]
}

run "stops_a_layout_that_does_not_fit_with_the_shortfall" {
  command = plan

  variables {
    layout = {
      "c5.4xlarge" = 100
    }
  }

  expect_failures = [outposts_capacity_task.this]
}

run "plans_the_layout_after_a_dry_run" {
  command = plan

  assert {
    condition     = data.outposts_capacity_check.layout[0].fits
    error_message = "The quickstart layout should fit the quickstart rack."
  }

  assert {
    condition     = length(outposts_capacity_task.this.instance_pool) == 2
    error_message = "Every layout entry should become one instance_pool."
  }
}

run "applies_the_layout" {
  command = apply

  assert {
    condition     = output.status == "COMPLETED"
    error_message = "The task should complete; it is ${output.status}."
  }

  assert {
    condition     = output.layout == var.layout
    error_message = "The applied layout should be the requested one."
  }

  assert {
    condition     = can(regex("^cap-[a-f0-9]{17}$", output.capacity_task_id))
    error_message = "The task ID should be a capacity task ID."
  }
}

run "the_same_outpost_by_arn_changes_nothing" {
  command = plan

  variables {
    outpost = "arn:aws:outposts:us-west-2:111122223333:outpost/op-0123456789abcdef0"
  }

  assert {
    condition     = output.outpost_id == "op-0123456789abcdef0"
    error_message = "The Outpost ID should be read out of the ARN."
  }

  assert {
    condition     = outposts_capacity_task.this.capacity_task_id == run.applies_the_layout.capacity_task_id
    error_message = "Naming the Outpost by ARN should keep the task, not start a new one."
  }
}
