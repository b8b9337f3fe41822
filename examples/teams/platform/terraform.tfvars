# Outposts of the simulator's built-in world; replace with your own. Each team has
# Outposts of its own, so the teams can apply at the same time.
teams = {
  "single-outpost" = {
    "op-0123456789abcdef0" = ["c5", "m5"]
  }
  "fleet" = {
    "op-0aaaaaaaaaaaaaaa1" = ["c5", "m5"]
    "op-0fedcba9876543210" = ["c5", "m5"]
  }
}
