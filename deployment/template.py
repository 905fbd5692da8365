"""The CloudFormation templates under infra/cloudformation/, read and resolved.

- `STACKS`: the stacks in deployment order, each a template file (storage first: the
  others import its key and use its bucket names).
- `load(path)`: a template as data, its short tags (`!Ref`, `!Sub`, ...) turned into the
  long form (`{"Ref": ...}`, `{"Fn::Sub": ...}`) CloudFormation itself uses.
- `Resolver`: evaluates a property tree the way CloudFormation does (Ref, Fn::GetAtt,
  Fn::Sub, Fn::Join, Fn::If, Fn::ImportValue, conditions, pseudo parameters) against a
  deployed stack. The local deployment uses it for the resources moto's CloudFormation
  skips, and both deployments use it to check what was created against the template.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from lakecore import PROJECT_DIR

TEMPLATES_DIR = PROJECT_DIR / "infra" / "cloudformation"


@dataclass(frozen=True)
class Stack:
    part: str  # the stack's name is <prefix>-<environment>-<part>
    template: Path
    per_account: bool = False  # deployed once per account by an administrator

    def name(self, prefix: str, environment: str) -> str:
        return f"{prefix}-{environment}-{self.part}"


STACKS = (
    Stack("storage", TEMPLATES_DIR / "storage.yaml"),
    Stack("pipeline", TEMPLATES_DIR / "pipeline.yaml"),
    Stack("streaming", TEMPLATES_DIR / "streaming.yaml"),
    Stack("github-deploy", TEMPLATES_DIR / "github-deploy.yaml", per_account=True),
)

NO_VALUE = object()  # AWS::NoValue: the property is left out


class _Loader(yaml.SafeLoader):
    """YAML with CloudFormation's short-form tags."""


def _tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    if suffix == "Ref":
        return {"Ref": value}
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    if suffix == "Condition":
        return {"Condition": value}
    return {f"Fn::{suffix}": value}


_Loader.add_multi_constructor("!", _tag)


def load(path: Path) -> dict[str, Any]:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # nosec B506 # SafeLoader subclass with CloudFormation's tags only


class ParameterError(ValueError):
    """A parameter the template lacks, or one without a value or default."""

    def __init__(self, name: str, reason: str):
        super().__init__(f"parameter {name} {reason}")
        self.name = name


def parameter_values(template: dict[str, Any], given: dict[str, str]) -> dict[str, str]:
    """The template's parameters: the given values over the defaults."""
    declared = template.get("Parameters", {})
    for name in sorted(set(given) - set(declared)):
        raise ParameterError(name, "is not declared by the template")
    values = {}
    for name, spec in declared.items():
        if name in given:
            values[name] = str(given[name])
        elif "Default" in spec:
            values[name] = str(spec["Default"])
        else:
            raise ParameterError(name, "has no default and no value")
    return values


_SUB = re.compile(r"\$\{([^}!]+)\}")


@dataclass
class Resolver:
    """Evaluates intrinsic functions against one stack: parameters, pseudo parameters,
    the stack's resources (`ref` and `attribute` answer for deployed ones) and the
    account's exports."""

    template: dict[str, Any]
    parameters: dict[str, str]
    pseudo: dict[str, str]  # AWS::AccountId, AWS::Region, AWS::Partition, AWS::StackName
    ref: Callable[[str], str]  # logical id -> Ref value
    attribute: Callable[[str, str], str]  # logical id, attribute -> value
    exports: dict[str, str] = field(default_factory=dict)

    def condition(self, name: str) -> bool:
        return bool(self.resolve(self.template.get("Conditions", {})[name]))

    def resolve(self, node: Any) -> Any:
        if isinstance(node, list):
            return [v for v in (self.resolve(x) for x in node) if v is not NO_VALUE]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            ((key, arg),) = node.items()
            function = _FUNCTIONS.get(key)
            if function:
                return function(self, arg)
        resolved = {k: self.resolve(v) for k, v in node.items()}
        return {k: v for k, v in resolved.items() if v is not NO_VALUE}

    def _name(self, name: str) -> Any:
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in self.pseudo:
            return self.pseudo[name]
        if name in self.parameters:
            return self.parameters[name]
        return self.ref(name)

    def _sub(self, arg: Any) -> str:
        text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1])
        values = {k: self.resolve(v) for k, v in variables.items()}

        def one(match: re.Match) -> str:
            name = match.group(1)
            if name in values:
                return str(values[name])
            if "." in name and name.split(".", 1)[0] in self.template["Resources"]:
                return str(self.attribute(*name.split(".", 1)))
            return str(self._name(name))

        return _SUB.sub(one, text)


def _if(r: Resolver, arg: list) -> Any:
    return r.resolve(arg[1] if r.condition(arg[0]) else arg[2])


_FUNCTIONS: dict[str, Callable[[Resolver, Any], Any]] = {
    "Ref": lambda r, a: r._name(a),
    "Fn::GetAtt": lambda r, a: r.attribute(a[0], a[1]),
    "Fn::Sub": Resolver._sub,
    "Fn::Join": lambda r, a: str(r.resolve(a[0])).join(str(x) for x in r.resolve(a[1])),
    "Fn::If": _if,
    "Fn::Equals": lambda r, a: r.resolve(a[0]) == r.resolve(a[1]),
    "Fn::Not": lambda r, a: not r.resolve(a[0]),
    "Fn::And": lambda r, a: all(r.resolve(x) for x in a),
    "Fn::Or": lambda r, a: any(r.resolve(x) for x in a),
    "Condition": lambda r, a: r.condition(a),
    "Fn::ImportValue": lambda r, a: r.exports[r.resolve(a)],
    "Fn::Select": lambda r, a: r.resolve(a[1])[int(r.resolve(a[0]))],
    "Fn::Split": lambda r, a: str(r.resolve(a[1])).split(a[0]),
}


def stack_parameters(
    stack: Stack,
    prefix: str,
    environment: str,
    given: dict[str, dict[str, str]],
    version: str | None = None,
) -> dict[str, str]:
    """A stack's parameter values, for AWS and moto alike: NamePrefix, Environment, the
    artefacts' version (when given and the template takes it), then the `given` values
    of this stack over the defaults. A missing or unknown one is one line and the fix."""
    from lakecore.errors import PipelineError

    template = load(stack.template)
    params = {"NamePrefix": prefix, "Environment": environment}
    if version and "ArtifactsVersion" in template.get("Parameters", {}):
        params["ArtifactsVersion"] = version
    params.update(given.get(stack.part, {}))
    try:
        return parameter_values(template, params)
    except ParameterError as exc:
        raise PipelineError(
            f"{stack.template.name}: {exc}: pass --parameter {stack.part}.{exc.name}=VALUE"
        ) from None
