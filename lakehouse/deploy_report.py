"""What the deploy commands show: the resource table and verdict of a local deployment,
and each stack's change set and outputs of a real one."""

from __future__ import annotations

from rich.table import Table

from deployment.aws import StackResult
from deployment.local import LocalDeployment
from lakehouse.display import console


def show_local(done: LocalDeployment) -> bool:
    """The table of resources, the artefacts, the execution and the verdict line; True
    when every resource was verified and the execution succeeded."""
    table = Table(title="resources", show_edge=False)
    for column in ("stack", "resource", "type", "created by", "checked"):
        table.add_column(column)
    for r in done.resources:
        check = "[green]verified[/]" if r.verified else "[red]" + "; ".join(r.problems)
        table.add_row(r.stack, r.logical, r.type.removeprefix("AWS::"), r.by, check)
    console.print(table)
    console.print(f"artefacts uploaded: {', '.join(done.artifacts)}")
    run = done.execution
    console.print(
        f"state machine execution: {run.status} in {run.seconds:.1f}s ({' -> '.join(run.states)})"
    )
    verified = sum(r.verified for r in done.resources)
    console.print(f"deployed on moto: {verified}/{len(done.resources)} resources verified")
    return verified == len(done.resources) and run.status == "SUCCEEDED"


def show_stack(result: StackResult) -> None:
    console.rule(f"[bold]{result.name}: {result.status}")
    if result.changes:
        table = Table(show_edge=False)
        for column in ("action", "resource", "type", "replacement"):
            table.add_column(column)
        for c in result.changes:
            table.add_row(c["action"], c["logical"], c["type"], c["replacement"])
        console.print(table)
    for key, value in result.outputs.items():
        console.print(f"  {key} = {value}", soft_wrap=True)
