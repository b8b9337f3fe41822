output "capacity_task_id" {
  description = "ID of the capacity task (cap-...)."
  value       = outposts_capacity_task.this.capacity_task_id
}

output "status" {
  description = "The task's status: COMPLETED once the layout is applied."
  value       = outposts_capacity_task.this.status
}

output "outpost_id" {
  description = "ID (op-...) of the Outpost, also when it was given by ARN."
  value       = local.outpost_id
}

output "layout" {
  description = "The layout the task applied: instance type to count."
  value       = tomap({ for pool in outposts_capacity_task.this.instance_pool : pool.instance_type => pool.count })
}

output "import_id" {
  description = "The ID terraform import takes for this task (outpost/task)."
  value       = outposts_capacity_task.this.id
}
