# Every argument is optional: without them the provider uses the standard AWS
# environment variables, shared config/credentials files and instance metadata.
provider "outposts" {
  region  = "us-west-2"
  profile = "platform"

  # Retry throttled calls more patiently than the SDK default.
  max_retries = 10
  retry_mode  = "adaptive"

  assume_role {
    role_arn     = "arn:aws:iam::123456789012:role/OutpostsCapacity"
    session_name = "terraform"
    duration     = "1h"
  }
}
