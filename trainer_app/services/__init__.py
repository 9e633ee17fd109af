"""Use cases: one method per user action, each in one transaction, each write audited."""
