# Key Outposts by ID however callers name them.
locals {
  outpost = "arn:aws:outposts:us-west-2:123456789012:outpost/op-0123456789abcdef0"
}

output "outpost_id" {
  value = provider::outposts::outpost_id(local.outpost) # "op-0123456789abcdef0"
}
