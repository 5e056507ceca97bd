"""``map_client_error``: a cancelled transaction maps by why its actions were cancelled."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from zdagent.adapters.dynamodb import map_client_error
from zdagent.core.errors import AppError, ConcurrentModificationError, StoreUnavailableError


def _cancelled(*reasons: str) -> ClientError:
    response = {
        "Error": {"Code": "TransactionCanceledException", "Message": "Transaction cancelled"},
        "CancellationReasons": [{"Code": r} for r in reasons],
    }
    return ClientError(response, "TransactWriteItems")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("reasons", "expected"),
    [
        (("ConditionalCheckFailed", "None"), ConcurrentModificationError),
        (("None", "TransactionConflict"), ConcurrentModificationError),
        (("None", "ThrottlingError"), StoreUnavailableError),
        (("ValidationError", "None"), AppError),
    ],
)
def test_a_cancelled_transaction_maps_by_its_reasons(
    reasons: tuple[str, ...], expected: type[AppError]
) -> None:
    assert type(map_client_error(_cancelled(*reasons))) is expected


def test_a_write_meeting_a_transaction_in_progress_is_a_concurrent_change() -> None:
    error = ClientError(
        {"Error": {"Code": "TransactionConflictException", "Message": "conflict"}}, "UpdateItem"
    )
    assert isinstance(map_client_error(error), ConcurrentModificationError)
