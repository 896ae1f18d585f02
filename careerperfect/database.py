"""How a pooled PostgreSQL connection is judged still good before a request gets it.

psycopg's own check sends an empty query: a round trip on every request that touches
the database, which on a signed-in page is a third of its round trips. A connection
resting in the pool has no query running, so the server has nothing to say to it;
when the server goes away (a restart, a crash, a terminated backend) it says goodbye
or closes the socket, and the socket turns readable. Asking the socket is one
system call and no round trip.
"""

import select

import psycopg
from psycopg.pq import ConnStatus


def pooled_connection_check(connection: psycopg.Connection) -> None:
    """Raise for a pooled connection the server has written to or closed while idle."""
    pgconn = connection.pgconn
    if pgconn.status == ConnStatus.OK and not _readable(pgconn.socket):
        return
    # Closed, the pool discards it instead of handing it out again.
    connection.close()
    raise psycopg.OperationalError("the server closed or wrote to an idle pooled connection")


def _readable(fd: int) -> bool:
    if not hasattr(select, "poll"):  # Windows, where select() takes any socket.
        return bool(select.select([fd], [], [], 0)[0])
    # poll(), not select(): select() refuses a descriptor numbered past 1,023, which a
    # busy process has, and every connection would then fail its check.
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(0))
