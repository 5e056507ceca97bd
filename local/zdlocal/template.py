"""template.yaml as the local stack sees it: a CloudFormation-aware loader, an intrinsic resolver
and a model of the functions (handler file, timeout, environment, HTTP and SQS events).

Everything the local stack runs comes from here; there is no second list of routes or queues.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_TEMPLATE = REPO_ROOT / "template.yaml"

STACK_NAME = "zdagent-local"
REGION = "us-east-1"
ACCOUNT_ID = "123456789012"


# Values for the template's parameters that have no Default, as the local stack uses them. The
# OAuth client is the Zendesk sandbox's global client.
LOCAL_PARAMETERS: dict[str, str] = {
    "AdminJwtIssuer": "http://127.0.0.1/local-admin-issuer",
    "AdminJwtAudience": "zdagent-local-admin",
    "ZendeskOAuthClientId": "zdg-local-ai-agent",
    "ZendeskOAuthClientSecret": "local-oauth-client-secret",
}


class TemplateError(Exception):
    """The template has a shape the local stack cannot map; the message says what to do."""


# ----------------------------------------------------------------------------- loading


class _CfnLoader(yaml.SafeLoader):
    """SafeLoader that turns CloudFormation short tags (!Ref, !Sub, ...) into their long form."""


def _construct_tag(loader: yaml.SafeLoader, tag_suffix: str, node: yaml.Node) -> dict[str, Any]:
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    elif isinstance(node, yaml.MappingNode):
        value = loader.construct_mapping(node, deep=True)
    else:  # pragma: no cover - yaml has no other node kinds
        raise TemplateError(f"unsupported YAML node for !{tag_suffix}")
    if tag_suffix == "Ref":
        return {"Ref": value}
    if tag_suffix == "Condition":
        return {"Condition": value}
    if tag_suffix == "GetAtt" and isinstance(value, str):
        logical_id, _, attribute = value.partition(".")
        return {"Fn::GetAtt": [logical_id, attribute]}
    return {f"Fn::{tag_suffix}": value}


_CfnLoader.add_multi_constructor("!", _construct_tag)


def load_yaml(text: str) -> Any:
    """Parse CloudFormation YAML (short tags become their ``Fn::`` long form)."""
    return yaml.load(text, Loader=_CfnLoader)  # noqa: S506 - a SafeLoader subclass


@dataclass(frozen=True)
class HttpRoute:
    """One ``HttpApi`` event: ``auth`` is ``admin`` when the JWT authorizer guards the route."""

    function_id: str
    event_name: str
    method: str
    path: str
    auth: Literal["none", "admin"]

    @property
    def route_key(self) -> str:
        return f"{self.method} {self.path}"


@dataclass(frozen=True)
class SqsEventSource:
    """One ``SQS`` event of a function."""

    function_id: str
    event_name: str
    queue_id: str
    batch_size: int
    report_batch_item_failures: bool
    maximum_batching_window_seconds: int = 0


@dataclass(frozen=True)
class FunctionSpec:
    """An ``AWS::Serverless::Function`` with Globals applied (environment still unresolved)."""

    logical_id: str
    code_dir: Path
    handler: str
    timeout: int
    memory_size: int
    environment: Mapping[str, Any]
    http_routes: tuple[HttpRoute, ...] = ()
    sqs_events: tuple[SqsEventSource, ...] = ()

    @property
    def handler_file(self) -> Path:
        module, _, _ = self.handler.rpartition(".")
        return self.code_dir / (module.replace(".", "/") + ".py")

    @property
    def handler_name(self) -> str:
        return self.handler.rpartition(".")[2]


@dataclass
class Template:
    """The parsed template and the directory its relative paths start from."""

    body: dict[str, Any]
    root: Path = field(default=REPO_ROOT)

    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        resources = self.body.get("Resources") or {}
        if not isinstance(resources, dict):
            raise TemplateError("the template's Resources is not a mapping: fix template.yaml")
        return resources

    @property
    def parameters(self) -> dict[str, dict[str, Any]]:
        return dict(self.body.get("Parameters") or {})

    @property
    def conditions(self) -> dict[str, Any]:
        return dict(self.body.get("Conditions") or {})

    def resources_of_type(self, resource_type: str) -> Iterator[tuple[str, dict[str, Any]]]:
        for logical_id, resource in self.resources.items():
            if resource.get("Type") == resource_type:
                yield logical_id, dict(resource.get("Properties") or {})

    def functions(self) -> list[FunctionSpec]:
        return [
            _function_spec(self, logical_id, properties)
            for logical_id, properties in self.resources_of_type("AWS::Serverless::Function")
        ]

    def http_routes(self) -> list[HttpRoute]:
        return [route for fn in self.functions() for route in fn.http_routes]

    def sqs_events(self) -> list[SqsEventSource]:
        return [event for fn in self.functions() for event in fn.sqs_events]


def load_template(path: Path | str = DEFAULT_TEMPLATE) -> Template:
    """Read template.yaml (relative paths in it are taken from its directory)."""
    path = Path(path)
    try:
        body = load_yaml(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise TemplateError(f"cannot read the template {path}: {exc.strerror}") from exc
    if not isinstance(body, dict):
        raise TemplateError(f"{path} is not a CloudFormation template (no top-level mapping)")
    return Template(body=body, root=path.resolve().parent)


# ----------------------------------------------------------------------------- resolving


@dataclass(frozen=True)
class Physical:
    """What a logical id stands for once created: ``Ref`` value and ``GetAtt`` attributes."""

    ref: str
    attributes: Mapping[str, str] = field(default_factory=dict)


ResourceMap = dict[str, Physical]


class _NoValue:
    def __repr__(self) -> str:
        return "AWS::NoValue"


NO_VALUE: Any = _NoValue()

_SUB_VARIABLE = re.compile(r"\$\{([^}!][^}]*)\}")


class Resolver:
    """Evaluates CloudFormation intrinsics against created resources and parameter values."""

    def __init__(
        self,
        template: Template,
        resources: Mapping[str, Physical],
        parameter_overrides: Mapping[str, Any] | None = None,
    ) -> None:
        self.template = template
        self.resources = resources
        self._overrides = {**LOCAL_PARAMETERS, **(parameter_overrides or {})}

    # -- values
    def parameter(self, name: str) -> Any:
        declared = self.template.parameters.get(name)
        if declared is None:
            raise TemplateError(f"!Ref {name}: no such parameter or resource in template.yaml")
        if name in self._overrides:
            value = self._overrides[name]
        elif "Default" in declared:
            value = declared["Default"]
        else:
            raise TemplateError(
                f"parameter {name} has no Default: give it a local value in "
                "zdlocal.template.LOCAL_PARAMETERS (or pass parameter_overrides)"
            )
        if declared.get("Type") == "CommaDelimitedList" and isinstance(value, str):
            return [part.strip() for part in value.split(",")] if value else []
        if isinstance(value, list):
            return [str(part) for part in value]
        return str(value)

    def pseudo(self, name: str) -> Any:
        pseudo = {
            "AWS::StackName": STACK_NAME,
            "AWS::Region": REGION,
            "AWS::AccountId": ACCOUNT_ID,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::StackId": (
                f"arn:aws:cloudformation:{REGION}:{ACCOUNT_ID}:stack/{STACK_NAME}/local"
            ),
            "AWS::NotificationARNs": [],
            "AWS::NoValue": NO_VALUE,
        }
        if name not in pseudo:
            raise TemplateError(f"!Ref {name}: unknown pseudo parameter")
        return pseudo[name]

    def ref(self, name: str) -> Any:
        if name.startswith("AWS::"):
            return self.pseudo(name)
        if name in self.resources:
            return self.resources[name].ref
        if name in self.template.parameters:
            return self.parameter(name)
        if name in self.template.resources:
            raise TemplateError(
                f"!Ref {name}: the resource is not created yet (the local stack creates "
                "tables, queues and secrets before functions, functions before state machines)"
            )
        raise TemplateError(f"!Ref {name}: no such parameter or resource in template.yaml")

    def get_att(self, logical_id: str, attribute: str) -> str:
        physical = self.resources.get(logical_id)
        if physical is None:
            raise TemplateError(
                f"!GetAtt {logical_id}.{attribute}: {logical_id} is not a resource the local "
                "stack created"
            )
        if attribute not in physical.attributes:
            raise TemplateError(
                f"!GetAtt {logical_id}.{attribute}: the local stack knows only "
                f"{sorted(physical.attributes)} for {logical_id}; add the attribute in "
                "local/zdlocal/resources.py"
            )
        return physical.attributes[attribute]

    def condition(self, name: str) -> bool:
        conditions = self.template.conditions
        if name not in conditions:
            raise TemplateError(f"condition {name} is not declared under Conditions")
        return bool(self.resolve(conditions[name]))

    # -- evaluation
    def resolve(self, value: Any) -> Any:
        """The value with every intrinsic evaluated; ``AWS::NoValue`` entries are dropped."""
        if isinstance(value, list):
            items = [self.resolve(item) for item in value]
            return [item for item in items if item is not NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            (key, arg), *_ = value.items()
            if key == "Ref" or key.startswith("Fn::") or key == "Condition":
                return self._intrinsic(key, arg)
        resolved = {key: self.resolve(item) for key, item in value.items()}
        return {key: item for key, item in resolved.items() if item is not NO_VALUE}

    def resolve_str(self, value: Any, where: str) -> str:
        resolved = self.resolve(value)
        if isinstance(resolved, bool):
            return "true" if resolved else "false"
        if isinstance(resolved, int | float | str):
            return str(resolved)
        raise TemplateError(f"{where}: expected a string, the template gives {resolved!r}")

    def _intrinsic(self, key: str, arg: Any) -> Any:  # noqa: PLR0911, PLR0912
        if key == "Ref":
            return self.ref(str(arg))
        if key == "Condition":
            return self.condition(str(arg))
        if key == "Fn::GetAtt":
            if isinstance(arg, str):
                arg = arg.split(".", 1)
            logical_id, attribute = (self.resolve(part) for part in arg)
            return self.get_att(str(logical_id), str(attribute))
        if key == "Fn::Sub":
            return self._sub(arg)
        if key == "Fn::If":
            name, when_true, when_false = arg
            return self.resolve(when_true if self.condition(name) else when_false)
        if key == "Fn::Not":
            (inner,) = arg
            return not self.resolve(inner)
        if key == "Fn::Equals":
            left, right = (self.resolve(part) for part in arg)
            return str(left) == str(right) if not isinstance(left, list) else left == right
        if key == "Fn::And":
            return all(self.resolve(part) for part in arg)
        if key == "Fn::Or":
            return any(self.resolve(part) for part in arg)
        if key == "Fn::Join":
            delimiter, items = arg
            return str(delimiter).join(str(item) for item in self.resolve(items))
        if key == "Fn::Select":
            index, items = arg
            return self.resolve(items)[int(self.resolve(index))]
        if key == "Fn::Split":
            delimiter, text = arg
            return str(self.resolve(text)).split(str(delimiter))
        if key == "Fn::Base64":
            return base64.b64encode(str(self.resolve(arg)).encode()).decode()
        if key == "Fn::GetAZs":
            return [f"{REGION}{zone}" for zone in "abc"]
        if key == "Fn::FindInMap":
            map_name, top, second = (self.resolve(part) for part in arg)
            try:
                return self.template.body["Mappings"][map_name][top][second]
            except KeyError as exc:
                raise TemplateError(f"!FindInMap {arg}: no such entry in Mappings") from exc
        if key == "Fn::ToJsonString":
            return json.dumps(self.resolve(arg), separators=(",", ":"))
        raise TemplateError(
            f"{key} is not supported by the local stack: add it to "
            "local/zdlocal/template.py Resolver._intrinsic"
        )

    def _sub(self, arg: Any) -> str:
        if isinstance(arg, list):
            text, variables = arg
            local_values = {name: self.resolve(value) for name, value in variables.items()}
        else:
            text, local_values = arg, {}

        def substitute(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in local_values:
                return str(local_values[name])
            if "." in name and not name.startswith("AWS::"):
                logical_id, attribute = name.split(".", 1)
                return self.get_att(logical_id, attribute)
            value = self.ref(name)
            if isinstance(value, list):
                return ",".join(value)
            return str(value)

        return _SUB_VARIABLE.sub(substitute, str(text)).replace("${!", "${")


# ----------------------------------------------------------------------------- functions


def _merged_function_properties(template: Template, properties: dict[str, Any]) -> dict[str, Any]:
    globals_ = dict((template.body.get("Globals") or {}).get("Function") or {})
    merged = {**globals_, **properties}
    environment: dict[str, Any] = {}
    for source in (globals_, properties):
        environment.update(((source.get("Environment") or {}).get("Variables")) or {})
    merged["Environment"] = environment
    return merged


def _int_property(logical_id: str, name: str, value: Any, default: int) -> int:
    if value is None:
        return default
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    raise TemplateError(
        f"{logical_id}: {name} must be a literal number for the local stack (got {value!r}); "
        "use a number in template.yaml"
    )


def _queue_logical_id(logical_id: str, event_name: str, queue: Any) -> str:
    if isinstance(queue, dict):
        if "Fn::GetAtt" in queue:
            target, attribute = queue["Fn::GetAtt"]
            if attribute == "Arn":
                return str(target)
        if "Ref" in queue:
            return str(queue["Ref"])
    raise TemplateError(
        f"{logical_id} event {event_name}: Queue must be !GetAtt <QueueLogicalId>.Arn of a queue "
        "declared in template.yaml for the local stack to poll it"
    )


def _http_route(
    template: Template, logical_id: str, event_name: str, props: dict[str, Any]
) -> HttpRoute:
    path, method = props.get("Path"), props.get("Method")
    if not isinstance(path, str) or not isinstance(method, str):
        raise TemplateError(
            f"{logical_id} event {event_name}: an HttpApi event needs a literal Path and Method "
            "for the local stack (a catch-all $default route is not supported)"
        )
    api = _http_api_properties(template, props.get("ApiId"))
    default_authorizer = (api.get("Auth") or {}).get("DefaultAuthorizer")
    authorizer = (props.get("Auth") or {}).get("Authorizer", default_authorizer)
    auth: Literal["none", "admin"] = "none" if authorizer in (None, "NONE") else "admin"
    return HttpRoute(
        function_id=logical_id,
        event_name=event_name,
        method=method.upper(),
        path=path,
        auth=auth,
    )


def _http_api_properties(template: Template, api_id: Any) -> dict[str, Any]:
    if api_id is None:
        return {}
    if isinstance(api_id, dict) and "Ref" in api_id:
        resource = template.resources.get(str(api_id["Ref"]))
        if resource and resource.get("Type") == "AWS::Serverless::HttpApi":
            return dict(resource.get("Properties") or {})
    raise TemplateError(
        f"ApiId {api_id!r}: the local stack serves only !Ref to an AWS::Serverless::HttpApi "
        "declared in template.yaml"
    )


def _function_spec(template: Template, logical_id: str, properties: dict[str, Any]) -> FunctionSpec:
    merged = _merged_function_properties(template, properties)
    code_uri = merged.get("CodeUri")
    if not isinstance(code_uri, str):
        raise TemplateError(
            f"{logical_id}: CodeUri must be a local directory (e.g. functions/<name>/) for the "
            "local stack; S3 or inline code cannot run locally"
        )
    handler = merged.get("Handler")
    if not isinstance(handler, str) or "." not in handler:
        raise TemplateError(f"{logical_id}: Handler must look like 'app.handler' (got {handler!r})")
    if merged.get("PackageType", "Zip") != "Zip" or merged.get("InlineCode"):
        raise TemplateError(f"{logical_id}: only Zip functions with CodeUri run in the local stack")
    routes: list[HttpRoute] = []
    sqs: list[SqsEventSource] = []
    for event_name, event in (merged.get("Events") or {}).items():
        event_type = event.get("Type")
        props = dict(event.get("Properties") or {})
        if event_type == "HttpApi":
            routes.append(_http_route(template, logical_id, event_name, props))
        elif event_type == "SQS":
            response_types = props.get("FunctionResponseTypes") or []
            sqs.append(
                SqsEventSource(
                    function_id=logical_id,
                    event_name=event_name,
                    queue_id=_queue_logical_id(logical_id, event_name, props.get("Queue")),
                    batch_size=_int_property(logical_id, "BatchSize", props.get("BatchSize"), 10),
                    report_batch_item_failures="ReportBatchItemFailures" in response_types,
                    maximum_batching_window_seconds=_int_property(
                        logical_id,
                        "MaximumBatchingWindowInSeconds",
                        props.get("MaximumBatchingWindowInSeconds"),
                        0,
                    ),
                )
            )
        else:
            raise TemplateError(
                f"{logical_id} event {event_name}: event type {event_type} has no local runner; "
                "the local stack maps HttpApi and SQS events (add one in local/zdlocal/)"
            )
    return FunctionSpec(
        logical_id=logical_id,
        code_dir=(template.root / code_uri).resolve(),
        handler=handler,
        timeout=_int_property(logical_id, "Timeout", merged.get("Timeout"), 3),
        memory_size=_int_property(logical_id, "MemorySize", merged.get("MemorySize"), 128),
        environment=dict(merged["Environment"]),
        http_routes=tuple(routes),
        sqs_events=tuple(sqs),
    )


def resolve_environment(function: FunctionSpec, resolver: Resolver) -> dict[str, str]:
    """The function's environment variables (Globals merged) with intrinsics evaluated."""
    return {
        name: resolver.resolve_str(value, f"{function.logical_id} environment {name}")
        for name, value in function.environment.items()
    }


def merged_environment(functions: list[FunctionSpec], resolver: Resolver) -> dict[str, str]:
    """One environment for every function (they share a process locally).

    Raises ``TemplateError`` when two functions give one variable different values.
    """
    merged: dict[str, str] = {}
    owner: dict[str, str] = {}
    for function in functions:
        for name, value in resolve_environment(function, resolver).items():
            if name in merged and merged[name] != value:
                raise TemplateError(
                    f"environment variable {name} is {merged[name]!r} in {owner[name]} but "
                    f"{value!r} in {function.logical_id}; the local stack runs every function in "
                    "one process, so give the variable one value (or rename one of them)"
                )
            merged.setdefault(name, value)
            owner.setdefault(name, function.logical_id)
    return merged
