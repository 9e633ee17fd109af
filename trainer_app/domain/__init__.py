"""Pure domain model: value objects, entity fields and rules. No I/O, no frameworks."""
