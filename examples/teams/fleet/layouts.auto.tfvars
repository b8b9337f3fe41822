# Sites of the simulator's built-in world, which the platform team allows this team
# (../platform/terraform.tfvars); replace with your own.
outposts = {
  "shared-rack" = {
    outpost  = "arn:aws:outposts:us-west-2:111122223333:outpost/op-0aaaaaaaaaaaaaaa1"
    order_id = "oo-0aaaaaaaaaaaaaaa1"
    # Other services run instances here (m5.large and c5.2xlarge): a layout with fewer
    # slots of their types than the rack has now would wait (WAIT_FOR_EVACUATION)
    # until they are moved, so this team keeps every slot of those types.
    layout = {
      "c5.2xlarge" = 6
      "m5.large"   = 24
    }
  }
  "edge-server" = {
    outpost  = "op-0fedcba9876543210"
    asset_id = "2000000001"
    layout = {
      "c5.xlarge" = 8
      "m5.xlarge" = 8
    }
  }
}
