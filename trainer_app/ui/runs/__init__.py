"""The Runs & enrolment page: published runs, their rosters, attendance registers and results."""
