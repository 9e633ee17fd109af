"""The Plan page: controls, the timeline, live solver progress and the plan's costs."""
