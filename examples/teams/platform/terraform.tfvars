# Outposts of the simulator's built-in world; replace with your own.
teams = {
  "single-outpost" = {
    "op-0123456789abcdef0" = ["c5", "m5"]
  }
  "fleet" = {
    "op-0123456789abcdef0" = ["c5", "m5", "r5"]
    "op-0fedcba9876543210" = ["c5", "m5"]
  }
}
