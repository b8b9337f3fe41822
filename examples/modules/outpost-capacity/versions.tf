terraform {
  # Provider-defined functions need Terraform 1.8.
  required_version = ">= 1.8"

  required_providers {
    outposts = {
      source = "outposts-labs/outposts"
    }
  }
}
