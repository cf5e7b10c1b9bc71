"""Static checks of deploy/aws/: the SAM template and the Lambda build script.

Nothing here deploys (CI has no AWS account). cfn-lint validates the template against CloudFormation's
resource schemas after the SAM transform; the structural tests hold it to the services' contract: the real
binaries and routes (read from Package.swift and the Swift sources), the environment names the AWS backend
reads, least-privilege IAM, streaming on exactly the streaming routes, the authorizer, the queues' dead-letter
redrive and batch failure reporting.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest

from conftest import skip_or_fail

REPO = Path(__file__).resolve().parents[2]
AWS = REPO / "deploy" / "aws"
TEMPLATE = AWS / "template.yaml"
BUILD_SCRIPT = AWS / "build.sh"

# cfn-lint warnings accepted, by rule id, each with the reason. Errors are never accepted.
ALLOWED_WARNINGS: dict[str, str] = {}

# The environment names the AWS backend reads (shared/DESIGN.md and the AWS serverless brief). A function may
# get a subset; nothing else named SWITCHBOARD_*.
SWITCHBOARD_ENV = {
    "SWITCHBOARD_BACKEND",
    "SWITCHBOARD_API_KEYS_SECRET",
    "SWITCHBOARD_ROUTES_TABLE",
    "SWITCHBOARD_QUOTAS_TABLE",
    "SWITCHBOARD_REQUESTS_TABLE",
    "SWITCHBOARD_STATE_TABLE",
    "SWITCHBOARD_AUDIT_QUEUE_URL",
    "SWITCHBOARD_AUDIT_DLQ_URL",
    "SWITCHBOARD_RAG_QUEUE_URL",
    "SWITCHBOARD_REQUESTS_TTL_DAYS",
    "SWITCHBOARD_SECRETS_TTL_SECONDS",
    "SWITCHBOARD_CONFIG",
    # the rag store's vector bucket (rag.store s3vectors; the file's s3vectors.bucket wins when present)
    "SWITCHBOARD_RAG_S3VECTORS_BUCKET",
    # existing names of every mode
    "SWITCHBOARD_LOG_FORMAT",
    "SWITCHBOARD_STREAMING_ROUTES",
    "SWITCHBOARD_LOG_LEVEL",
}
# Provider credentials: <STEM>_SECRET_ARN (and key-pool variants <STEM>_SECRET_ARN_<KEY_ID>), plus the base
# URL of an OpenAI-compatible profile.
PROVIDER_ENV = re.compile(
    r"^(OPENAI|ANTHROPIC|OPENAI_COMPAT_[A-Z0-9]+)_SECRET_ARN(_[A-Z0-9_]+)?$|^OPENAI_COMPAT_[A-Z0-9]+_BASE_URL$"
)

# What each function must be given, beyond the globals.
REQUIRED_ENV = {
    "AuthorizerFunction": {"SWITCHBOARD_API_KEYS_SECRET"},
    "RouterFunction": {
        "SWITCHBOARD_ROUTES_TABLE",
        "SWITCHBOARD_QUOTAS_TABLE",
        "SWITCHBOARD_STATE_TABLE",
        "SWITCHBOARD_AUDIT_QUEUE_URL",
    },
    "MediaFunction": {"SWITCHBOARD_ROUTES_TABLE", "SWITCHBOARD_QUOTAS_TABLE", "SWITCHBOARD_AUDIT_QUEUE_URL"},
    "RagFunction": {
        "SWITCHBOARD_ROUTES_TABLE",
        "SWITCHBOARD_QUOTAS_TABLE",
        "SWITCHBOARD_STATE_TABLE",
        "SWITCHBOARD_AUDIT_QUEUE_URL",
        "SWITCHBOARD_RAG_QUEUE_URL",
        "SWITCHBOARD_RAG_S3VECTORS_BUCKET",
    },
    "AuditFunction": {
        "SWITCHBOARD_REQUESTS_TABLE",
        "SWITCHBOARD_QUOTAS_TABLE",
        "SWITCHBOARD_AUDIT_QUEUE_URL",
        "SWITCHBOARD_REQUESTS_TTL_DAYS",
    },
}
FUNCTION_PRODUCTS = {
    "AuthorizerFunction": "switchboard-edge",
    "RouterFunction": "switchboard-router",
    "MediaFunction": "switchboard-media",
    "RagFunction": "switchboard-rag",
    "AuditFunction": "switchboard-audit",
}
# Which Swift sources register each function's routes (router.get/post/delete("…")).
ROUTE_SOURCES = {
    "RouterFunction": ["Sources/Router/Service/RouterService.swift"],
    "MediaFunction": ["Sources/Router/Service/MediaEndpoints.swift"],
    "RagFunction": ["Sources/RAG/Service/RAGService.swift"],
    "AuditFunction": ["Sources/Workers/Billing/BillingService.swift", "Sources/Workers/Billing/DashboardPages.swift"],
}
# Routes answered with Lambda response streaming (API Gateway responseTransferMode STREAM). The binaries
# must write the streaming response format on exactly these and the buffered proxy format elsewhere.
STREAMING_ROUTES = {
    ("post", "/v1/chat/completions"),
    ("post", "/v1/completions"),
    ("post", "/v1/responses"),
    ("post", "/v1/rag/query"),
}
# Served without an API key (the page asks for one); everything else goes through the authorizer.
PUBLIC_ROUTES = {("get", "/dashboard"), ("get", "/dashboard/{file}")}
# `Resource: "*"` is allowed only where AWS offers no resource-level permission. None is needed today.
WILDCARD_RESOURCE_EXCEPTIONS: dict[tuple[str, str], str] = {}
# Patterned resources allowed in addition to this stack's own: any foundation model and this account's
# inference profiles (Bedrock models are not stack resources).
PATTERNED_RESOURCES = (
    re.compile(r"^arn:\$\{AWS::Partition\}:bedrock:\*::foundation-model/\*$"),
    re.compile(r"^arn:\$\{AWS::Partition\}:bedrock:\*:\$\{AWS::AccountId\}:inference-profile/\*$"),
)
LAMBDA_SQS_VISIBILITY_FACTOR = 6


# ---------------------------------------------------------------------------------------------------------
# Loading


def cfn_lint_command() -> list[str]:
    beside_python = Path(sys.executable).with_name("cfn-lint")
    if beside_python.exists():
        return [str(beside_python)]
    found = shutil.which("cfn-lint")
    assert found, "cfn-lint is not installed (pip install -r tests/e2e/requirements.txt)"
    return [found]


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    from cfnlint.decode import decode  # the decoder cfn-lint uses: !Ref, !Sub, !GetAtt... become dicts

    decoded, problems = decode(str(TEMPLATE))
    assert not problems, [str(problem) for problem in problems]
    assert decoded is not None
    return decoded


@pytest.fixture(scope="module")
def resources(template: dict[str, Any]) -> dict[str, Any]:
    return template["Resources"]


def of_type(resources: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {name: resource for name, resource in resources.items() if resource["Type"] == kind}


@pytest.fixture(scope="module")
def functions(resources: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found = of_type(resources, "AWS::Serverless::Function")
    assert set(found) == set(FUNCTION_PRODUCTS), sorted(found)
    return found


@pytest.fixture(scope="module")
def api(resources: dict[str, Any]) -> dict[str, Any]:
    (api,) = of_type(resources, "AWS::Serverless::Api").values()
    return api["Properties"]


@pytest.fixture(scope="module")
def operations(api: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (method, path): operation
        for path, item in api["DefinitionBody"]["paths"].items()
        for method, operation in item.items()
        if method in {"get", "post", "put", "patch", "delete", "head", "options"}
    }


def package_products() -> set[str]:
    text = (REPO / "Package.swift").read_text(encoding="utf-8")
    return set(re.findall(r'\.executable\(\s*name:\s*"([^"]+)"', text))


def build_script_products() -> list[str]:
    text = BUILD_SCRIPT.read_text(encoding="utf-8")
    match = re.search(r"^PRODUCTS=\(([^)]*)\)", text, re.MULTILINE)
    assert match, "build.sh must declare PRODUCTS=(...)"
    return match.group(1).split()


def source_routes() -> dict[tuple[str, str], str]:
    """(method, path) → function, from the Swift sources' router registrations."""
    routes: dict[tuple[str, str], str] = {}
    for function, files in ROUTE_SOURCES.items():
        for file in files:
            text = (REPO / file).read_text(encoding="utf-8")
            for method, path in re.findall(r'router\.(get|post|put|patch|delete)\("(/[^"]*)"', text):
                routes[(method, path)] = function
    assert len(routes) >= 15, f"too few routes found in the sources: {routes}"
    return routes


def referenced_names(value: Any) -> set[str]:
    """Logical ids and parameters a value refers to (Ref, GetAtt, ${...} of Sub)."""
    names: set[str] = set()
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "Ref" and isinstance(inner, str):
                names.add(inner)
            elif key == "Fn::GetAtt":
                target = inner[0] if isinstance(inner, list) else str(inner).split(".")[0]
                names.add(target)
            elif key == "Fn::Sub":
                text = inner[0] if isinstance(inner, list) else inner
                names |= {ref.split(".")[0] for ref in re.findall(r"\$\{([^}!]+)\}", text)}
                if isinstance(inner, list) and len(inner) > 1:
                    names |= referenced_names(inner[1])
            else:
                names |= referenced_names(inner)
    elif isinstance(value, list):
        for item in value:
            names |= referenced_names(item)
    return names


def branches(value: Any) -> Iterator[Any]:
    """Every concrete shape of a value with Fn::If (both branches; AWS::NoValue dropped)."""
    if isinstance(value, dict) and set(value) == {"Fn::If"}:
        _, yes, no = value["Fn::If"]
        for branch in (yes, no):
            if branch != {"Ref": "AWS::NoValue"}:
                yield from branches(branch)
    else:
        yield value


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def statements(role: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for policy in role["Properties"].get("Policies", []):
        for statement in policy["PolicyDocument"]["Statement"]:
            yield from branches(statement)


def function_env(template: dict[str, Any], function: dict[str, Any]) -> dict[str, Any]:
    env = dict(template.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {}))
    env.update(function["Properties"].get("Environment", {}).get("Variables", {}))
    return env


def global_property(template: dict[str, Any], function: dict[str, Any], name: str) -> Any:
    return function["Properties"].get(name, template.get("Globals", {}).get("Function", {}).get(name))


def sub_text(value: Any) -> str:
    assert isinstance(value, dict) and "Fn::Sub" in value, f"expected !Sub, got {value!r}"
    inner = value["Fn::Sub"]
    return inner[0] if isinstance(inner, list) else inner


# ---------------------------------------------------------------------------------------------------------
# cfn-lint


def test_cfn_lint_reports_no_errors_and_only_accepted_warnings() -> None:
    result = subprocess.run(
        [*cfn_lint_command(), "--format", "json", "--", str(TEMPLATE)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.stdout.strip() or result.returncode == 0, result.stderr
    findings = json.loads(result.stdout or "[]")
    errors = [f for f in findings if f["Level"] == "Error"]
    assert not errors, json.dumps(errors, indent=1)
    unexpected = [f for f in findings if f["Level"] == "Warning" and f["Rule"]["Id"] not in ALLOWED_WARNINGS]
    assert not unexpected, json.dumps(unexpected, indent=1)


def test_template_is_sam_and_declares_its_parameters(template: dict[str, Any]) -> None:
    assert template["Transform"] == "AWS::Serverless-2016-10-31"
    parameters = template["Parameters"]
    assert parameters["Architecture"]["AllowedValues"] == ["arm64", "x86_64"]
    for name in ("RouterMemorySize", "MediaMemorySize", "RagMemorySize", "AuditMemorySize", "AuthorizerMemorySize"):
        assert parameters[name]["Type"] == "Number"
    for name in ("OpenAISecretArn", "AnthropicSecretArn"):
        assert parameters[name]["Default"] == "", f"{name} must be optional"
    assert "LogRetentionInDays" in parameters and "StageName" in parameters


# ---------------------------------------------------------------------------------------------------------
# Functions


def test_functions_run_the_real_products_on_the_custom_runtime(
    template: dict[str, Any], functions: dict[str, Any]
) -> None:
    products = package_products()
    for name, function in functions.items():
        assert global_property(template, function, "Runtime") == "provided.al2023", name
        assert global_property(template, function, "Handler") == "bootstrap", name
        assert global_property(template, function, "Architectures") == [{"Ref": "Architecture"}], name
        code = function["Properties"]["CodeUri"]
        match = re.fullmatch(r"build/([a-z-]+)\.zip", code)
        assert match, f"{name}: CodeUri {code!r} must be build/<product>.zip (what build.sh writes)"
        product = match.group(1)
        assert product in products, f"{name}: {product} is not a product of Package.swift"
        assert product == FUNCTION_PRODUCTS[name], f"{name} runs {product}"
    assert sorted(build_script_products()) == sorted(FUNCTION_PRODUCTS.values()), "build.sh builds other products"


def test_functions_get_only_known_environment_names(template: dict[str, Any], functions: dict[str, Any]) -> None:
    for name, function in functions.items():
        env = function_env(template, function)
        assert env["SWITCHBOARD_BACKEND"] == "aws", name
        for key in env:
            if key.startswith("SWITCHBOARD_"):
                assert key in SWITCHBOARD_ENV, f"{name}: {key} is not a name the AWS backend reads"
            else:
                assert PROVIDER_ENV.match(key), f"{name}: unexpected variable {key}"
        missing = REQUIRED_ENV[name] - set(env)
        assert not missing, f"{name} lacks {sorted(missing)}"


def test_provider_secrets_are_optional_and_only_where_providers_are_called(
    template: dict[str, Any], functions: dict[str, Any]
) -> None:
    for name, function in functions.items():
        provider = {key: value for key, value in function_env(template, function).items() if PROVIDER_ENV.match(key)}
        if name in {"AuthorizerFunction", "AuditFunction"}:
            assert not provider, f"{name} calls no provider"
            continue
        assert {"OPENAI_SECRET_ARN", "ANTHROPIC_SECRET_ARN"} <= set(provider), name
        for key, value in provider.items():
            # Empty parameter → variable not set.
            assert "Fn::If" in value and value["Fn::If"][2] == {"Ref": "AWS::NoValue"}, f"{name}: {key}"


def test_functions_log_to_their_own_group_with_retention(
    resources: dict[str, Any], functions: dict[str, Any]
) -> None:
    groups = set()
    for name, function in functions.items():
        group = function["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]
        assert resources[group]["Type"] == "AWS::Logs::LogGroup"
        assert resources[group]["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionInDays"}
        groups.add(group)
        role = resources[function["Properties"]["Role"]["Fn::GetAtt"][0]]
        log_statements = [s for s in statements(role) if "logs:PutLogEvents" in as_list(s["Action"])]
        assert [s["Resource"] for s in log_statements] == [{"Fn::GetAtt": [group, "Arn"]}], name
    assert len(groups) == len(functions), "one log group per function"


def test_streaming_functions_may_run_as_long_as_a_stream(functions: dict[str, Any]) -> None:
    for name in ("RouterFunction", "RagFunction"):
        assert functions[name]["Properties"]["Timeout"] == 900, f"{name}: streams last up to 15 minutes"
    assert functions["AuthorizerFunction"]["Properties"]["Timeout"] <= 30


# ---------------------------------------------------------------------------------------------------------
# IAM


def test_each_function_has_its_own_least_privilege_role(
    resources: dict[str, Any], functions: dict[str, Any]
) -> None:
    roles = set()
    for name, function in functions.items():
        properties = function["Properties"]
        assert "Policies" not in properties, f"{name}: use its role, not SAM policy templates"
        role_name = properties["Role"]["Fn::GetAtt"][0]
        assert resources[role_name]["Type"] == "AWS::IAM::Role"
        roles.add(role_name)
        role = resources[role_name]["Properties"]
        assert "ManagedPolicyArns" not in role, f"{role_name}: managed policies grant Resource '*'"
        (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
        assert trust["Principal"] == {"Service": "lambda.amazonaws.com"}
    assert len(roles) == len(functions)


def test_no_wildcard_actions_or_resources(resources: dict[str, Any], template: dict[str, Any]) -> None:
    own = set(resources) | set(template["Parameters"]) | {"AWS::Partition", "AWS::Region", "AWS::AccountId"}
    for role_name, role in of_type(resources, "AWS::IAM::Role").items():
        for statement in statements(role):
            sid = statement.get("Sid", "?")
            assert statement["Effect"] == "Allow", f"{role_name}/{sid}"
            assert "NotAction" not in statement and "NotResource" not in statement, f"{role_name}/{sid}"
            for action in as_list(statement["Action"]):
                assert isinstance(action, str) and "*" not in action, f"{role_name}/{sid}: wildcard action {action}"
                assert re.fullmatch(r"[a-z0-9-]+:[A-Za-z]+", action), f"{role_name}/{sid}: {action}"
            for resource in as_list(statement["Resource"]):
                for concrete in branches(resource):
                    if concrete == "*":
                        assert (role_name, sid) in WILDCARD_RESOURCE_EXCEPTIONS, f"{role_name}/{sid}: Resource *"
                        continue
                    assert isinstance(concrete, dict), f"{role_name}/{sid}: literal resource {concrete!r}"
                    names = referenced_names(concrete)
                    assert names <= own, f"{role_name}/{sid}: refers to {names - own}"
                    if "Fn::Sub" in concrete:
                        text = sub_text(concrete)
                        stack_resource = re.match(r"^\$\{([A-Za-z0-9]+)\.[A-Za-z]+\}/", text)
                        if stack_resource and stack_resource.group(1) in resources:
                            continue  # a path under one of this stack's resources (table indexes, vector indexes)
                        assert any(p.match(text) for p in PATTERNED_RESOURCES), f"{role_name}/{sid}: {text}"


def test_secrets_are_read_only_by_who_needs_them(resources: dict[str, Any], functions: dict[str, Any]) -> None:
    def secret_statements(function: str) -> list[dict[str, Any]]:
        role = resources[functions[function]["Properties"]["Role"]["Fn::GetAtt"][0]]
        return [s for s in statements(role) if any(a.startswith("secretsmanager:") for a in as_list(s["Action"]))]

    (authorizer,) = secret_statements("AuthorizerFunction")
    assert as_list(authorizer["Action"]) == ["secretsmanager:GetSecretValue"]
    assert authorizer["Resource"] == {"Ref": "ApiKeysSecret"}
    assert not secret_statements("AuditFunction")
    for function in ("RouterFunction", "MediaFunction", "RagFunction"):
        for statement in secret_statements(function):
            assert as_list(statement["Action"]) == ["secretsmanager:GetSecretValue"]
            assert {"Ref": "ApiKeysSecret"} not in as_list(statement["Resource"]), f"{function} reads API keys"


def test_rag_may_use_only_its_vector_bucket(resources: dict[str, Any]) -> None:
    actions: set[str] = set()
    for statement in statements(resources["RagRole"]):
        if any(a.startswith("s3vectors:") for a in as_list(statement["Action"])):
            actions |= set(as_list(statement["Action"]))
            for resource in as_list(statement["Resource"]):
                assert referenced_names(resource) == {"VectorBucket"}, resource
    assert {
        "s3vectors:PutVectors",
        "s3vectors:QueryVectors",
        "s3vectors:GetVectors",
        "s3vectors:DeleteVectors",
        "s3vectors:GetIndex",
        "s3vectors:CreateIndex",
        "s3vectors:ListVectors",
        "s3vectors:GetVectorBucket",
    } <= actions
    bucket = resources["VectorBucket"]
    assert bucket["Type"] == "AWS::S3Vectors::VectorBucket"
    assert bucket["DeletionPolicy"] == "Retain"


# ---------------------------------------------------------------------------------------------------------
# API Gateway


def test_api_paths_match_the_services_routes(operations: dict[tuple[str, str], dict[str, Any]]) -> None:
    expected = source_routes()
    assert set(operations) == set(expected), (
        f"missing: {sorted(set(expected) - set(operations))}; extra: {sorted(set(operations) - set(expected))}"
    )
    for (method, path), operation in operations.items():
        assert "/v1/v1" not in path
        uri = sub_text(operation["x-amazon-apigateway-integration"]["uri"])
        assert f"${{{expected[(method, path)]}.Arn}}" in uri, f"{method} {path} → {uri}"


def test_stage_never_doubles_v1(template: dict[str, Any], api: dict[str, Any]) -> None:
    stage = template["Parameters"]["StageName"]
    assert api["StageName"] == {"Ref": "StageName"}
    assert stage["Default"] != "v1"
    pattern = re.compile(stage["AllowedPattern"])
    assert not pattern.fullmatch("v1") and pattern.fullmatch(stage["Default"]) and pattern.fullmatch("prod")
    url = sub_text(template["Outputs"]["ApiUrl"]["Value"])
    assert url.endswith("/${StageName}/v1") and "/v1/v1" not in url


def test_streaming_routes_stream_and_the_rest_are_buffered(
    operations: dict[tuple[str, str], dict[str, Any]],
) -> None:
    assert STREAMING_ROUTES <= set(operations)
    for key, operation in operations.items():
        integration = operation["x-amazon-apigateway-integration"]
        assert integration["type"] == "aws_proxy" and integration["httpMethod"] == "POST", key
        uri = sub_text(integration["uri"])
        if key in STREAMING_ROUTES:
            assert integration["responseTransferMode"] == "STREAM", key
            assert re.fullmatch(
                r"arn:\$\{AWS::Partition\}:apigateway:\$\{AWS::Region\}:lambda:path/2021-11-15/functions/"
                r"\$\{[A-Za-z]+\.Arn\}/response-streaming-invocations",
                uri,
            ), uri
            assert 29000 < integration["timeoutInMillis"] <= 900000, key
        else:
            assert integration.get("responseTransferMode", "BUFFERED") == "BUFFERED", key
            assert "response-streaming-invocations" not in uri and uri.endswith("/invocations"), key
            assert "/2015-03-31/functions/" in uri, key
            assert integration["timeoutInMillis"] <= 29000, key


def test_functions_are_told_which_routes_stream(
    template: dict[str, Any], operations: dict[tuple[str, str], dict[str, Any]]
) -> None:
    """The functions pick the streaming or the buffered answer format from SWITCHBOARD_STREAMING_ROUTES: it must name
    exactly the routes integrated with responseTransferMode STREAM."""
    value = template["Globals"]["Function"]["Environment"]["Variables"]["SWITCHBOARD_STREAMING_ROUTES"]
    listed = {(entry.split()[0].lower(), entry.split()[1]) for entry in value.split(",")}
    streamed = {key for key, operation in operations.items()
                if operation["x-amazon-apigateway-integration"].get("responseTransferMode") == "STREAM"}
    assert listed == streamed == STREAMING_ROUTES


def test_api_is_regional_with_binary_uploads(api: dict[str, Any]) -> None:
    # Edge-optimized endpoints cut an idle stream after 30 s; regional ones after 5 minutes.
    assert api["EndpointConfiguration"]["Type"] == "REGIONAL"
    binary = {t.replace("~1", "/") for t in api["BinaryMediaTypes"]}
    assert {"multipart/form-data", "application/octet-stream", "audio/*", "image/*"} <= binary


def test_every_route_but_the_dashboard_page_needs_the_token_authorizer(
    api: dict[str, Any], operations: dict[tuple[str, str], dict[str, Any]]
) -> None:
    schemes = api["DefinitionBody"]["components"]["securitySchemes"]
    (scheme_name,) = schemes
    scheme = schemes[scheme_name]
    assert scheme["in"] == "header" and scheme["name"] == "Authorization"
    authorizer = scheme["x-amazon-apigateway-authorizer"]
    assert authorizer["type"] == "token"
    assert authorizer["identitySource"] == "method.request.header.Authorization"
    assert authorizer["authorizerResultTtlInSeconds"] == 300
    uri = sub_text(authorizer["authorizerUri"])
    assert uri.endswith("/functions/${AuthorizerFunction.Arn}/invocations"), uri
    for key, operation in operations.items():
        if key in PUBLIC_ROUTES:
            assert operation["security"] == [], key
        else:
            assert operation["security"] == [{scheme_name: []}], key


def test_gateway_errors_are_openai_shaped(api: dict[str, Any]) -> None:
    responses = api["DefinitionBody"]["x-amazon-apigateway-gateway-responses"]
    expected = {
        "UNAUTHORIZED": (401, "invalid_request_error", "invalid_api_key"),
        "ACCESS_DENIED": (403, "invalid_request_error", "invalid_api_key"),
        "THROTTLED": (429, "rate_limit_error", "rate_limit_exceeded"),
        "QUOTA_EXCEEDED": (429, "rate_limit_error", "rate_limit_exceeded"),
        "MISSING_AUTHENTICATION_TOKEN": (404, "invalid_request_error", "unknown_url"),
        "REQUEST_TOO_LARGE": (413, "invalid_request_error", "request_too_large"),
        "INTEGRATION_TIMEOUT": (504, "server_error", "timeout"),
        "AUTHORIZER_FAILURE": (503, "server_error", None),
        "DEFAULT_4XX": (None, "invalid_request_error", None),
        "DEFAULT_5XX": (None, "server_error", None),
    }
    for name, (status, kind, code) in expected.items():
        response = responses[name]
        assert response.get("statusCode") == status, name
        body = response["responseTemplates"]["application/json"]
        # $context.error.messageString is a quoted string at run time.
        body = body.replace("$context.error.messageString", '"message"')
        error = json.loads(body)["error"]
        assert isinstance(error["message"], str) and error["type"] == kind, name
        if code is not None:
            assert error["code"] == code, name


def test_api_gateway_may_invoke_each_function_only_through_this_api(
    resources: dict[str, Any], operations: dict[tuple[str, str], dict[str, Any]]
) -> None:
    permissions = of_type(resources, "AWS::Lambda::Permission")
    by_function: dict[str, str] = {}
    for permission in permissions.values():
        properties = permission["Properties"]
        assert properties["Principal"] == "apigateway.amazonaws.com"
        assert properties["Action"] == "lambda:InvokeFunction"
        function = properties["FunctionName"]["Fn::GetAtt"][0]
        source = sub_text(properties["SourceArn"])
        assert source.startswith("arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${Api}/")
        by_function[function] = source
    assert set(by_function) == set(FUNCTION_PRODUCTS)
    assert by_function["AuthorizerFunction"].endswith("${Api}/authorizers/*")
    expected = source_routes()
    prefix = "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${Api}"
    for (method, path), function in expected.items():
        arn = f"{prefix}/api/{method.upper()}{re.sub(r'{[^}]+}', 'x', path)}"
        assert fnmatch.fnmatchcase(arn, by_function[function]), f"{function} may not be invoked for {method} {path}"


# ---------------------------------------------------------------------------------------------------------
# Queues and tables


def test_audit_consumer_reports_batch_item_failures(functions: dict[str, Any]) -> None:
    (event,) = functions["AuditFunction"]["Properties"]["Events"].values()
    assert event["Type"] == "SQS"
    properties = event["Properties"]
    assert properties["Queue"] == {"Fn::GetAtt": ["AuditQueue", "Arn"]}
    assert properties["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert properties["BatchSize"] == 100
    assert properties["MaximumBatchingWindowInSeconds"] >= 1, "a batch above 10 needs a batching window"
    (rag_event,) = functions["RagFunction"]["Properties"]["Events"].values()
    assert rag_event["Type"] == "SQS"
    assert rag_event["Properties"]["Queue"] == {"Fn::GetAtt": ["RagIngestQueue", "Arn"]}
    assert rag_event["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


def test_queues_redrive_to_dead_letter_queues(resources: dict[str, Any], functions: dict[str, Any]) -> None:
    consumers = {"AuditQueue": "AuditFunction", "RagIngestQueue": "RagFunction"}
    for queue_name, function in consumers.items():
        queue = resources[queue_name]["Properties"]
        redrive = queue["RedrivePolicy"]
        assert redrive["maxReceiveCount"] == 5
        dlq_name = redrive["deadLetterTargetArn"]["Fn::GetAtt"][0]
        dlq = resources[dlq_name]["Properties"]
        assert dlq["MessageRetentionPeriod"] == 14 * 24 * 3600
        timeout = functions[function]["Properties"]["Timeout"]
        assert queue["VisibilityTimeout"] >= LAMBDA_SQS_VISIBILITY_FACTOR * timeout, queue_name


def test_tables_have_the_backend_key_schema(resources: dict[str, Any]) -> None:
    def keys(properties: dict[str, Any]) -> list[tuple[str, str]]:
        return [(k["AttributeName"], k["KeyType"]) for k in properties["KeySchema"]]

    tables = {name: r["Properties"] for name, r in of_type(resources, "AWS::DynamoDB::Table").items()}
    assert set(tables) == {"RoutesTable", "QuotasTable", "RequestsTable", "StateTable"}
    for properties in tables.values():
        assert properties["BillingMode"] == "PAY_PER_REQUEST"
    assert keys(tables["RoutesTable"]) == [("alias", "HASH")]
    assert keys(tables["QuotasTable"]) == [("counter", "HASH")]
    assert keys(tables["StateTable"]) == [("pk", "HASH")]
    assert keys(tables["RequestsTable"]) == [("tenant", "HASH"), ("sk", "RANGE")]
    indexes = {index["IndexName"]: keys(index) for index in tables["RequestsTable"]["GlobalSecondaryIndexes"]}
    assert indexes == {
        "byRequestId": [("requestId", "HASH")],
        "byAlias": [("alias", "HASH"), ("sk", "RANGE")],
        "byProviderStatus": [("providerStatus", "HASH"), ("sk", "RANGE")],
        "byDay": [("day", "HASH"), ("sk", "RANGE")],
    }
    for name in ("QuotasTable", "RequestsTable", "StateTable"):
        assert tables[name]["TimeToLiveSpecification"] == {"AttributeName": "expiresAt", "Enabled": True}, name
    assert tables["RequestsTable"]["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True


def test_api_keys_secret_starts_empty(resources: dict[str, Any], template: dict[str, Any]) -> None:
    secret = resources["ApiKeysSecret"]["Properties"]
    assert secret["Name"] == {"Ref": "ApiKeysSecretName"}
    assert template["Parameters"]["ApiKeysSecretName"]["Default"] == "/switchboard/api-keys"
    assert json.loads(secret["SecretString"]) == {}


# ---------------------------------------------------------------------------------------------------------
# Dashboard and outputs


def test_dashboard_bucket_is_private_behind_cloudfront(resources: dict[str, Any]) -> None:
    bucket = resources["DashboardBucket"]["Properties"]
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    policy = resources["DashboardBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    allows = [s for s in policy if s["Effect"] == "Allow"]
    assert [s["Principal"] for s in allows] == [{"Service": "cloudfront.amazonaws.com"}]
    assert "AWS:SourceArn" in allows[0]["Condition"]["StringEquals"]
    distribution = resources["DashboardDistribution"]["Properties"]["DistributionConfig"]
    origins = {origin["Id"]: origin for origin in distribution["Origins"]}
    assert "OriginAccessControlId" in origins["dashboard-files"]
    api_behaviors = [b for b in distribution["CacheBehaviors"] if b["PathPattern"] == "/v1/*"]
    assert api_behaviors and api_behaviors[0]["TargetOriginId"] == "api"
    assert sub_text(origins["api"]["OriginPath"]) == "/${StageName}"


def test_outputs_name_what_operators_need(template: dict[str, Any]) -> None:
    outputs = template["Outputs"]
    for name in (
        "ApiUrl",
        "DashboardUrl",
        "RoutesTableName",
        "QuotasTableName",
        "RequestsTableName",
        "StateTableName",
        "AuditQueueUrl",
        "AuditDeadLetterQueueUrl",
        "RagIngestQueueUrl",
        "ApiKeysSecretArn",
    ):
        assert name in outputs, name


# ---------------------------------------------------------------------------------------------------------
# build.sh


def test_build_script_parses_and_documents_its_options() -> None:
    subprocess.run(["bash", "-n", str(BUILD_SCRIPT)], check=True)
    assert os.access(BUILD_SCRIPT, os.X_OK), "build.sh must be executable"
    result = subprocess.run([str(BUILD_SCRIPT), "--help"], capture_output=True, text=True, timeout=30, check=True)
    for option in ("--arch", "--docker", "--output", "--help"):
        assert option in result.stdout, option
    failing = subprocess.run([str(BUILD_SCRIPT), "--arch", "sparc"], capture_output=True, text=True, timeout=30)
    assert failing.returncode != 0 and "arm64 or x86_64" in failing.stderr


def test_build_script_checks_glibc_against_amazon_linux_2023() -> None:
    text = BUILD_SCRIPT.read_text(encoding="utf-8")
    assert re.search(r"^TARGET_GLIBC=2\.34$", text, re.MULTILINE)
    assert "objdump -T" in text and "GLIBC_" in text
    assert "--static-swift-stdlib" in text and "swift build -c release" in text
    assert "amazonlinux" in text


def test_build_script_is_shellcheck_clean() -> None:
    shellcheck = shutil.which("shellcheck")
    if shellcheck is None:
        skip_or_fail("shellcheck is not installed (Debian: apt-get install shellcheck; scripts/test installs it)")
    result = subprocess.run([shellcheck, str(BUILD_SCRIPT)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout
