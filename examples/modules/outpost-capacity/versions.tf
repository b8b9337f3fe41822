terraform {
  # Provider-defined functions need Terraform 1.8.
  required_version = ">= 1.8"

  required_providers {
    # The platform team publishes the provider in its private registry beside this
    # module; a caller that installs it from elsewhere must use this same address.
    outposts = {
      source = "registry.platform.internal/outposts-labs/outposts"
    }
  }
}
