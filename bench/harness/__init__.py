"""The orchestration of `make bench`: targets, load generators, scenarios and the table."""
