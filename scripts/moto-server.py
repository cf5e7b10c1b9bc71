"""moto_server with DynamoDB's atomicity: every DynamoDB request is handled under one lock.

DynamoDB guarantees that a conditional write is atomic (check and write as one step) and that
TransactWriteItems is serializable. moto's threaded server gives neither: UpdateItem evaluates its
ConditionExpression and then applies the update with no lock, so two concurrent `ADD :one IF used < :limit`
can both pass at `used = limit - 1`; and a cancelled TransactWriteItems restores a copy of the whole table
taken when it began, undoing writes that committed meanwhile. Our quota stores rely on exactly those two
guarantees, so the tests run moto with each DynamoDB call serialized, which is what DynamoDB promises for
the items involved. Everything else (SigV4 checking, SQS, Secrets Manager, IAM) is moto unchanged.

Usage: python moto-server.py [moto_server arguments]
"""

import functools
import sys
import threading

from moto.dynamodb.responses import DynamoHandler
from moto.server import main

_lock = threading.Lock()
_call_action = DynamoHandler.call_action


@functools.wraps(_call_action)
def _serialized_call_action(self):
    with _lock:
        return _call_action(self)


DynamoHandler.call_action = _serialized_call_action

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
