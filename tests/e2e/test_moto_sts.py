"""The moto the AWS tests run (scripts/moto, through scripts/moto-server.py) answers STS as AWS does for the official
client: AssumeRoleWithWebIdentity goes unsigned (the token is the proof) and the credentials it returns sign calls
that moto then checks like any others, while a signed call still needs a valid signature. Plain moto_server with
SigV4 checking on answers every unsigned call with HTTP 500 (it reads the Authorization header first), which is why
the gateway's web identity provider is tested against this moto (MotoCredentialProviderTests)."""

from __future__ import annotations

import json
import secrets

import pytest

from conftest import MOTO_ACCESS_KEY, MOTO_SECRET_KEY, MOTO_URL, importorskip, requires_moto

boto3 = importorskip("boto3")
botocore = importorskip("botocore")
botocore_config = importorskip("botocore.config")
botocore_exceptions = importorskip("botocore.exceptions")

pytestmark = requires_moto
REGION = "us-east-1"


def client(service: str, **credentials):
    return boto3.client(service, endpoint_url=MOTO_URL, region_name=REGION, **credentials)


@pytest.fixture(scope="module")
def role_arn() -> str:
    iam = client("iam", aws_access_key_id=MOTO_ACCESS_KEY, aws_secret_access_key=MOTO_SECRET_KEY)
    name = f"sts-{secrets.token_hex(4)}"
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"},
                                                     "Action": ["sts:AssumeRole", "sts:AssumeRoleWithWebIdentity"]}]}
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    allow_all = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    iam.put_role_policy(RoleName=name, PolicyName="allow-all", PolicyDocument=json.dumps(allow_all))
    return arn


def test_unsigned_web_identity_credentials_sign_checked_calls(role_arn: str) -> None:
    unsigned = client("sts", config=botocore_config.Config(signature_version=botocore.UNSIGNED))
    issued = unsigned.assume_role_with_web_identity(
        RoleArn=role_arn, RoleSessionName="boto3-web", WebIdentityToken="eyJhbGciOiJSUzI1NiJ9.test.token")
    credentials = issued["Credentials"]
    keys = {"aws_access_key_id": credentials["AccessKeyId"], "aws_secret_access_key": credentials["SecretAccessKey"],
            "aws_session_token": credentials["SessionToken"]}
    assert client("sts", **keys).get_caller_identity()["Arn"].endswith(f"/{role_arn.split('/')[-1]}/boto3-web")
    client("secretsmanager", **keys).list_secrets()

    wrong = dict(keys, aws_secret_access_key="wrong-secret")
    with pytest.raises(botocore_exceptions.ClientError) as refused:
        client("secretsmanager", **wrong).list_secrets()
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_signed_sts_calls_are_still_checked(role_arn: str) -> None:
    with pytest.raises(botocore_exceptions.ClientError) as refused:
        client("sts", aws_access_key_id=MOTO_ACCESS_KEY, aws_secret_access_key="wrong-secret").assume_role(
            RoleArn=role_arn, RoleSessionName="refused")
    assert refused.value.response["Error"]["Code"] == "SignatureDoesNotMatch"
    good = client("sts", aws_access_key_id=MOTO_ACCESS_KEY, aws_secret_access_key=MOTO_SECRET_KEY)
    assert good.assume_role(RoleArn=role_arn, RoleSessionName="allowed")["Credentials"]["AccessKeyId"]
