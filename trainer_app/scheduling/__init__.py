"""The planner: pure data in (a Scenario), CP-SAT and local search, pure data out (a Plan)."""
