"""Handing work to Celery without losing it when the broker is unreachable."""

import logging

from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)


def enqueue_on_commit(task, *args, **options) -> None:
    """Queue `task(*args)` once the current transaction commits (options such as
    queue= go to apply_async).

    The work a task does is always recorded in the database first (a row in a
    pending state), so if the broker is down the request still succeeds: the row
    stays pending and the periodic sweep that owns it queues the task again later.
    """

    def send():
        try:
            task.apply_async(args=args, retry=False, **options)
        except (OperationalError, ConnectionError, OSError):
            logger.warning("Broker unreachable; %s%r left for the sweep", task.name, args)

    transaction.on_commit(send)
