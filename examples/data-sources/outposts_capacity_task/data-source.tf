# Watch a task another workspace owns, and what blocks it.
data "outposts_capacity_task" "shared" {
  outpost_identifier = "op-0123456789abcdef0"
  capacity_task_id   = "cap-0123456789abcdef0"
}

output "blocking_instances" {
  value = data.outposts_capacity_task.shared.blocking_instances[*].instance_id
}
