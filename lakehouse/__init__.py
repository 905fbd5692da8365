"""Orchestration room: the `lakehouse` CLI and what it runs beyond the stages' own
rooms: the one dbt runner, the PR check, the dashboard, the Glue packaging and the local
AWS stand-ins. Imports the other rooms; nothing imports it."""

from pathlib import Path

# The source tree this package runs from: the dbt project and the Glue sources live here.
PROJECT_DIR = Path(__file__).resolve().parent.parent
