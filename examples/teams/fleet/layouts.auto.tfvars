# Sites of the simulator's built-in world, which the platform team allows this team
# (../platform/terraform.tfvars); replace with your own.
outposts = {
  "seattle-rack" = {
    outpost  = "arn:aws:outposts:us-west-2:111122223333:outpost/op-0123456789abcdef0"
    order_id = "oo-0123456789abcdef0"
    # Keeps room for the c5.4xlarge instance running there: a layout without it
    # would wait (WAIT_FOR_EVACUATION) until that instance is stopped or moved.
    layout = {
      "c5.4xlarge" = 4
      "m5.xlarge"  = 4
      "r5.2xlarge" = 4
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
