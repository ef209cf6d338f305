"""Huey glue: a JSON serializer, so tasks take ids or JSON only (never pickled objects), and queue
classes whose immediate mode (tests) still sends every task through that serializer."""

import datetime
import json
import zlib

import huey
from huey.api import chord, group
from huey.serializer import Serializer

_ARGS, _ETA, _EXPIRES_RESOLVED = 6, 2, 11


class JSONSerializer(Serializer):
    """Huey's task message as JSON; task arguments and results must be JSON-native."""

    def _serialize(self, data) -> bytes:
        from huey.registry import Message

        if isinstance(data, Message):
            fields = list(data)
            for index in (_ETA, _EXPIRES_RESOLVED):
                if isinstance(fields[index], datetime.datetime):
                    fields[index] = {"__dt__": fields[index].isoformat()}
            data = {"__huey_message__": fields}
        return zlib.compress(json.dumps(data, default=_reject).encode())

    def _deserialize(self, data: bytes):
        from huey.registry import Message

        value = json.loads(zlib.decompress(data))
        if isinstance(value, dict) and "__huey_message__" in value:
            fields = value["__huey_message__"]
            for index in (_ETA, _EXPIRES_RESOLVED):
                if isinstance(fields[index], dict) and "__dt__" in fields[index]:
                    fields[index] = datetime.datetime.fromisoformat(fields[index]["__dt__"])
            fields[_ARGS] = tuple(fields[_ARGS] or ())
            return Message(*fields)
        return value


def _reject(value):
    raise TypeError(f"task arguments must be JSON (ids, strings, numbers), not {type(value).__name__}")


class RoundTripMixin:
    """Huey runs immediate-mode tasks without serializing them; here they round-trip first, so a
    test fails on an argument that a real queue would refuse or change (a model, a tuple, a date)."""

    def enqueue(self, task):
        if self.immediate and not isinstance(task, group | chord):
            task = self.deserialize_task(self.serialize_task(task))
        return super().enqueue(task)


class SqliteHuey(RoundTripMixin, huey.SqliteHuey):
    pass


class PriorityRedisHuey(RoundTripMixin, huey.PriorityRedisHuey):
    pass
