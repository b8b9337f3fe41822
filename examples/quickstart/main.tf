terraform {
  required_providers {
    outposts = {
      source = "outposts-labs/outposts"
    }
  }
}

provider "outposts" {
  region = "us-west-2"
}

data "outposts_region" "current" {}

output "region" {
  value = data.outposts_region.current.name
}

output "outposts_endpoint" {
  value = data.outposts_region.current.endpoint
}
