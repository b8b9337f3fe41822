# The tasks still running on a rack, oldest first.
data "outposts_capacity_tasks" "running" {
  outpost_identifier = "op-0123456789abcdef0"
  statuses           = ["REQUESTED", "IN_PROGRESS", "WAITING_FOR_EVACUATION"]
}

output "running_task_ids" {
  value = data.outposts_capacity_tasks.running.ids
}
