"""Orchestration room: the `lakehouse` CLI that runs the stages in order."""
