# By Outpost ID and capacity task ID:
terraform import outposts_capacity_task.compute op-0123456789abcdef0/cap-0123456789abcdef0

# By Outpost ARN (then write outpost_identifier as the ARN too):
terraform import outposts_capacity_task.compute arn:aws:outposts:us-west-2:123456789012:outpost/op-0123456789abcdef0/cap-0123456789abcdef0
