# Cancel a capacity task that has not started changing the hardware, e.g. one another
# workspace started by mistake (Terraform 1.14 and later). Invoke it on its own with
#   terraform apply -invoke=action.outposts_cancel_capacity_task.stop
# Progress lines follow the task: REQUESTED, CANCELLATION_IN_PROGRESS, CANCELLED.
action "outposts_cancel_capacity_task" "stop" {
  config {
    outpost_identifier = "op-0123456789abcdef0"
    capacity_task_id   = "cap-0123456789abcdef0"
    timeout            = "45m"
  }
}
