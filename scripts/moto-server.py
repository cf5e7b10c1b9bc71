"""moto_server with DynamoDB's atomicity and STS's unsigned calls.

1. Every DynamoDB request is handled under one lock.

DynamoDB guarantees that a conditional write is atomic (check and write as one step) and that
TransactWriteItems is serializable. moto's threaded server gives neither: UpdateItem evaluates its
ConditionExpression and then applies the update with no lock, so two concurrent `ADD :one IF used < :limit`
can both pass at `used = limit - 1`; and a cancelled TransactWriteItems restores a copy of the whole table
taken when it began, undoing writes that committed meanwhile. Our quota stores rely on exactly those two
guarantees, so the tests run moto with each DynamoDB call serialized, which is what DynamoDB promises for
the items involved.

2. STS AssumeRoleWithWebIdentity and AssumeRoleWithSAML are unsigned in AWS (the token or assertion is the
proof). With SigV4 checking on, moto reads the Authorization header of every request and answers an unsigned
one with HTTP 500; here an unsigned call of those two actions skips the signature check, as STS does. The
credentials it returns are then checked like any others (moto knows the session it issued).

Everything else (SigV4 checking, SQS, Secrets Manager, IAM, STS AssumeRole) is moto unchanged.

Usage: python moto-server.py [moto_server arguments]
"""

import functools
import sys
import threading

from moto.dynamodb.responses import DynamoHandler
from moto.server import main
from moto.sts.responses import TokenResponse

_lock = threading.Lock()
_call_action = DynamoHandler.call_action


@functools.wraps(_call_action)
def _serialized_call_action(self):
    with _lock:
        return _call_action(self)


DynamoHandler.call_action = _serialized_call_action

_UNSIGNED_STS_ACTIONS = {"AssumeRoleWithWebIdentity", "AssumeRoleWithSAML"}
_sts_authenticate = TokenResponse._authenticate_and_authorize_normal_action


@functools.wraps(_sts_authenticate)
def _sts_authenticate_unless_unsigned(self, *args, **kwargs):
    if "Authorization" not in self.headers and self._get_action() in _UNSIGNED_STS_ACTIONS:
        return None
    return _sts_authenticate(self, *args, **kwargs)


TokenResponse._authenticate_and_authorize_normal_action = _sts_authenticate_unless_unsigned

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
