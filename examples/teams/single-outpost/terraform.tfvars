# The quickstart rack of the simulator's built-in world, which the platform team allows
# this team (../platform/terraform.tfvars); replace with your own.
outpost  = "op-0123456789abcdef0"
order_id = "oo-0123456789abcdef0"

layout = {
  "c5.4xlarge" = 4
  "m5.xlarge"  = 8
}
