"""The template loader, the intrinsic resolver and the function model, on the real template.yaml."""

from __future__ import annotations

from pathlib import Path

import pytest

from zdlocal.template import (
    NO_VALUE,
    Physical,
    Resolver,
    Template,
    TemplateError,
    load_template,
    load_yaml,
    merged_environment,
    resolve_environment,
)

SHORT_TAGS = """
Parameters:
  Name: {Type: String, Default: shop}
  Empty: {Type: String, Default: ""}
  Audience: {Type: CommaDelimitedList, Default: "a,b"}
  Required: {Type: String}
Conditions:
  HasEmpty: !Not [!Equals [!Ref Empty, ""]]
  IsShop: !Equals [!Ref Name, shop]
Resources:
  Queue: {Type: AWS::SQS::Queue}
Values:
  ref: !Ref Name
  getatt: !GetAtt Queue.Arn
  getatt_list: !GetAtt [Queue, QueueName]
  sub: !Sub "${AWS::StackName}/${Name}/${Queue.QueueName}/${!Literal}"
  sub_list: !Sub ["${Greeting}, ${Name} in ${AWS::Region}", {Greeting: !Join ["", [he, llo]]}]
  if_true: !If [IsShop, yes-shop, no-shop]
  if_novalue: !If [HasEmpty, something, !Ref AWS::NoValue]
  join: !Join [",", [!Ref Name, !Ref AWS::AccountId]]
  select: !Select [1, !Split ["|", "x|y|z"]]
  list_param: !Ref Audience
  dropped: [one, !Ref AWS::NoValue, two]
  condition: !Condition IsShop
  base64: !Base64 abc
  partition: !Sub "arn:${AWS::Partition}:s3:::${AWS::URLSuffix}"
"""


@pytest.fixture
def short_tags() -> Resolver:
    template = Template(body=load_yaml(SHORT_TAGS))
    resources = {
        "Queue": Physical(
            ref="https://queue", attributes={"Arn": "arn:aws:sqs:q", "QueueName": "q"}
        )
    }
    return Resolver(template, resources)


def test_short_tags_become_long_form() -> None:
    values = load_yaml(SHORT_TAGS)["Values"]
    assert values["ref"] == {"Ref": "Name"}
    assert values["getatt"] == {"Fn::GetAtt": ["Queue", "Arn"]}
    assert values["getatt_list"] == {"Fn::GetAtt": ["Queue", "QueueName"]}
    assert values["sub_list"]["Fn::Sub"][1]["Greeting"] == {"Fn::Join": ["", ["he", "llo"]]}
    assert values["condition"] == {"Condition": "IsShop"}


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("ref", "shop"),
        ("getatt", "arn:aws:sqs:q"),
        ("getatt_list", "q"),
        ("sub", "zdagent-local/shop/q/${Literal}"),
        ("sub_list", "hello, shop in us-east-1"),
        ("if_true", "yes-shop"),
        ("join", "shop,123456789012"),
        ("select", "y"),
        ("list_param", ["a", "b"]),
        ("dropped", ["one", "two"]),
        ("condition", True),
        ("base64", "YWJj"),
        ("partition", "arn:aws:s3:::amazonaws.com"),
    ],
)
def test_resolver_evaluates_intrinsics(short_tags: Resolver, key: str, expected: object) -> None:
    raw = short_tags.template.body["Values"][key]
    assert short_tags.resolve(raw) == expected


def test_no_value_is_dropped_from_mappings(short_tags: Resolver) -> None:
    values = short_tags.template.body["Values"]
    assert short_tags.resolve(values["if_novalue"]) is NO_VALUE
    assert short_tags.resolve({"keep": 1, "drop": values["if_novalue"]}) == {"keep": 1}


def test_parameter_without_default_or_local_value_is_a_clear_error(short_tags: Resolver) -> None:
    with pytest.raises(TemplateError, match=r"parameter Required has no Default"):
        short_tags.resolve({"Ref": "Required"})


def test_overrides_win_over_defaults() -> None:
    template = Template(body=load_yaml(SHORT_TAGS))
    resolver = Resolver(template, {}, {"Name": "other", "Required": "given"})
    assert resolver.resolve({"Ref": "Name"}) == "other"
    assert resolver.resolve({"Ref": "Required"}) == "given"


def test_unknown_attribute_names_what_is_known(short_tags: Resolver) -> None:
    with pytest.raises(TemplateError, match=r"Queue.Nope.*\['Arn', 'QueueName'\]"):
        short_tags.resolve({"Fn::GetAtt": ["Queue", "Nope"]})


# ----------------------------------------------------------------------------- real template


def test_real_template_functions_and_routes() -> None:
    template = load_template()
    functions = {fn.logical_id: fn for fn in template.functions()}
    console = functions["ConsoleFunction"]
    assert console.handler_file == Path(console.code_dir) / "app.py"
    assert console.memory_size == 256
    assert functions["WebhookFunction"].timeout == 10
    assert functions["AgentsFunction"].timeout == 29  # from Globals
    routes = {route.route_key: route for route in template.http_routes()}
    assert routes["GET /health"].auth == "none"
    assert routes["GET /console"].auth == "none"
    assert routes["GET /oauth/zendesk/callback"].auth == "none"
    assert routes["POST /webhooks/zendesk/{agent_id}"].auth == "none"
    assert routes["POST /agents"].auth == "admin"
    assert routes["POST /agents"].function_id == "AgentsFunction"
    admin_routes = [r for r in routes.values() if r.auth == "admin"]
    assert len(admin_routes) >= 20


def test_real_template_sqs_events() -> None:
    events = {event.function_id: event for event in load_template().sqs_events()}
    replies = events["ReplyWorkerFunction"]
    assert replies.queue_id == "ReplyQueue"
    assert replies.batch_size == 10
    assert replies.report_batch_item_failures
    assert events["ImportWorkerFunction"].batch_size == 1


def test_real_template_environment_resolves_against_created_resources(aws: dict) -> None:
    template = load_template()
    env = merged_environment(template.functions(), Resolver(template, aws))
    assert env["TABLE_NAME"] == "zdagent-local-StateTable"
    assert env["SECRETS_PREFIX"] == "zdagent-local/integrations"
    assert env["REPLY_QUEUE_URL"] == aws["ReplyQueue"].ref
    assert env["OAUTH_CLIENT_SECRET_ID"].startswith(
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:zdagent-local/zendesk-oauth-client"
    )
    assert env["DISCONNECT_STATE_MACHINE_ARN"] == aws["DisconnectStateMachine"].ref
    assert env["ZENDESK_BASE_URL_TEMPLATE"] == "https://{subdomain}.zendesk.com"


# ----------------------------------------------------------------------------- unmappable shapes


def _template(resources: str, globals_: str = "") -> Template:
    return Template(body=load_yaml(f"{globals_}\nResources:\n{resources}"))


def test_conflicting_environment_is_named() -> None:
    template = _template(
        """
  A:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: a/, Handler: app.handler, Environment: {Variables: {MODE: one}}}
  B:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: b/, Handler: app.handler, Environment: {Variables: {MODE: two}}}
"""
    )
    resolver = Resolver(template, {})
    assert resolve_environment(template.functions()[0], resolver) == {"MODE": "one"}
    with pytest.raises(TemplateError, match=r"MODE is 'one' in A but 'two' in B"):
        merged_environment(template.functions(), resolver)


@pytest.mark.parametrize(
    ("resources", "message"),
    [
        (
            """
  F:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: f/
      Handler: app.handler
      Events: {Nightly: {Type: Schedule, Properties: {Schedule: rate(1 day)}}}
""",
            r"F event Nightly: event type Schedule has no local runner",
        ),
        (
            """
  F:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: {Bucket: b, Key: k}, Handler: app.handler}
""",
            r"F: CodeUri must be a local directory",
        ),
        (
            """
  F:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: f/
      Handler: app.handler
      Events: {Q: {Type: SQS, Properties: {Queue: arn:aws:sqs:us-east-1:1:elsewhere}}}
""",
            r"F event Q: Queue must be !GetAtt <QueueLogicalId>.Arn",
        ),
    ],
)
def test_unmappable_function_shapes_are_one_clear_sentence(resources: str, message: str) -> None:
    with pytest.raises(TemplateError, match=message):
        _template(resources).functions()


def test_missing_template_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match=r"cannot read the template"):
        load_template(tmp_path / "template.yaml")
