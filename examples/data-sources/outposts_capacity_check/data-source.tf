# Ask AWS whether a layout fits before starting it, with the module's own message.
data "outposts_capacity_check" "layout" {
  outpost_identifier = "op-0123456789abcdef0"
  order_id           = "oo-0123456789abcdef0"

  instance_pool {
    instance_type = "c5.4xlarge"
    count         = 6
  }
}

check "layout_fits" {
  assert {
    condition     = data.outposts_capacity_check.layout.fits
    error_message = "The layout does not fit: ${coalesce(data.outposts_capacity_check.layout.reason, "AWS gave no reason")}"
  }
}
