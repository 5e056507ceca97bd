"""The SQS batch helper answers as Powertools' BatchProcessor did for our standard queues."""

from __future__ import annotations

from typing import Any

import pytest

from zdagent.api.sqs import BatchFailedError, SQSRecord, process_records, receive_count
from zdagent.services.context import Context


def _record(message_id: str, body: str, receives: str = "1") -> dict[str, Any]:
    return {
        "messageId": message_id,
        "receiptHandle": f"rh-{message_id}",
        "body": body,
        "attributes": {"ApproximateReceiveCount": receives},
    }


def _use_case(ctx: Context, record: SQSRecord) -> str:
    if record.body == "bad":
        raise ValueError("the body 'bad' quoted in the message")
    return "ok"


def test_failed_records_are_reported_the_others_not() -> None:
    event = {"Records": [_record("1", "good"), _record("2", "bad"), _record("3", "good")]}
    assert process_records(event, None, _use_case) == {
        "batchItemFailures": [{"itemIdentifier": "2"}]
    }


def test_a_batch_where_every_record_fails_fails_the_invocation(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with pytest.raises(BatchFailedError):
        process_records({"Records": [_record("1", "bad")]}, None, _use_case)
    (failed,) = [r for r in caplog.records if r.getMessage() == "record_failed"]
    assert failed.__dict__["error_type"] == "ValueError"
    logged = caplog.text + str(failed.__dict__)
    assert "quoted" not in logged  # the error's type, never its message


def test_no_records_no_failures() -> None:
    assert process_records({"Records": []}, None, _use_case) == {"batchItemFailures": []}


def test_receive_count_and_fields() -> None:
    record = SQSRecord(_record("9", "b", receives="4"))
    assert (receive_count(record), record.body, record.receipt_handle) == (4, "b", "rh-9")
    assert receive_count(SQSRecord({"messageId": "x"})) == 1
