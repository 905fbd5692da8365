"""Orchestration room: the `lakehouse` CLI and what it runs beyond the stages' own
rooms: the one dbt runner, publish, the PR check and the dashboard. Imports the other rooms
(the twin, `athena_twin`, and the deployment, `deployment`, among them); nothing
imports it."""

from lakecore import PROJECT_DIR

__all__ = ["PROJECT_DIR"]
