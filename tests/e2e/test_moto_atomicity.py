"""The moto the AWS tests run (scripts/moto, through scripts/moto-server.py) gives DynamoDB's atomicity to the
official client: concurrent conditional updates admit exactly the limit, updates that create an item together all
count, and a cancelled transaction undoes nothing that other requests wrote meanwhile. Plain moto_server does not
promise these (its UpdateItem checks the condition and writes without a lock; a cancelled TransactWriteItems restores
a copy of the table taken when it began); the creation race shows up in a few of the 40 trials here, and it is what
made the quota stores' concurrent tests admit 101 of a limit of 100 now and then."""

from __future__ import annotations

import secrets
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import MOTO_ACCESS_KEY, MOTO_SECRET_KEY, MOTO_URL, importorskip, requires_moto

boto3 = importorskip("boto3")
botocore_config = importorskip("botocore.config")

AWS_URL, ACCESS_KEY, SECRET_KEY = MOTO_URL, MOTO_ACCESS_KEY, MOTO_SECRET_KEY
pytestmark = requires_moto


@pytest.fixture(scope="module")
def table():
    dynamodb = boto3.client(
        "dynamodb",
        endpoint_url=AWS_URL,
        region_name="us-east-1",
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        config=botocore_config.Config(max_pool_connections=64, retries={"max_attempts": 1}),
    )
    name = f"atomicity-{secrets.token_hex(4)}"
    dynamodb.create_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )
    yield dynamodb, name
    dynamodb.delete_table(TableName=name)


def _conditional_add(dynamodb, table: str, key: str, limit: int) -> bool:
    try:
        dynamodb.update_item(
            TableName=table,
            Key={"pk": {"S": key}},
            UpdateExpression="ADD used :one",
            ConditionExpression="attribute_not_exists(used) OR used < :limit",
            ExpressionAttributeValues={":one": {"N": "1"}, ":limit": {"N": str(limit)}},
        )
        return True
    except dynamodb.exceptions.ConditionalCheckFailedException:
        return False


def _used(dynamodb, table: str, key: str) -> int:
    item = dynamodb.get_item(TableName=table, Key={"pk": {"S": key}}, ConsistentRead=True).get("Item", {})
    return int(item.get("used", {"N": "0"})["N"])


def test_concurrent_conditional_updates_admit_exactly_the_limit(table):
    dynamodb, name = table
    with ThreadPoolExecutor(max_workers=48) as pool:
        results = list(pool.map(lambda _: _conditional_add(dynamodb, name, "counter", 40), range(400)))
    assert sum(results) == 40
    assert _used(dynamodb, name, "counter") == 40


def test_updates_that_create_an_item_together_all_count(table):
    # The race plain moto loses most often (about one trial in ten here): requests released together on an item
    # that does not exist yet each create it, and all but the last creation are lost.
    dynamodb, name = table
    clients = [boto3.client("dynamodb", endpoint_url=AWS_URL, region_name="us-east-1", aws_access_key_id=ACCESS_KEY,
                            aws_secret_access_key=SECRET_KEY) for _ in range(24)]
    short = []
    for trial in range(40):
        key = f"fresh-{trial}"
        barrier = threading.Barrier(len(clients))

        def add(client) -> bool:
            barrier.wait()
            return _conditional_add(client, name, key, 1000)

        with ThreadPoolExecutor(max_workers=len(clients)) as pool:
            assert all(pool.map(add, clients))
        if (used := _used(dynamodb, name, key)) != len(clients):
            short.append((trial, used))
    assert short == []


def test_cancelled_transactions_undo_nothing_written_meanwhile(table):
    dynamodb, name = table

    def transact(index: int) -> bool:
        # Half the transactions cancel (their second item's condition fails); all of them add to a shared counter
        # when they commit. Meanwhile plain updates add to another item.
        if index % 3 == 2:
            dynamodb.update_item(
                TableName=name,
                Key={"pk": {"S": "plain"}},
                UpdateExpression="ADD used :one",
                ExpressionAttributeValues={":one": {"N": "1"}},
            )
            return False
        try:
            dynamodb.transact_write_items(
                TransactItems=[
                    {
                        "Update": {
                            "TableName": name,
                            "Key": {"pk": {"S": "shared"}},
                            "UpdateExpression": "ADD used :one",
                            "ExpressionAttributeValues": {":one": {"N": "1"}},
                        }
                    },
                    {
                        "ConditionCheck": {
                            "TableName": name,
                            "Key": {"pk": {"S": "never"}},
                            "ConditionExpression": "attribute_exists(pk)" if index % 3 == 1 else "attribute_not_exists(pk)",
                        }
                    },
                ]
            )
            return True
        except dynamodb.exceptions.TransactionCanceledException:
            return False

    with ThreadPoolExecutor(max_workers=48) as pool:
        committed = sum(pool.map(transact, range(300)))
    assert committed == 100
    assert _used(dynamodb, name, "shared") == 100
    assert _used(dynamodb, name, "plain") == 100
