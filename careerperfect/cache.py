from django_redis.cache import RedisCache


class FailOpenRedisCache(RedisCache):
    """Redis cache that keeps the site answering while Redis is unreachable.

    With IGNORE_EXCEPTIONS, reads miss and writes are dropped during an outage, and
    `add` returns None. Callers that use `add` as a lock (allauth's rate limits) would
    then wait and refuse every sign-in, so during an outage `add` reports success:
    callers go through, and rate limits apply again once Redis is back.
    """

    def add(self, *args, **kwargs):
        added = super().add(*args, **kwargs)
        return True if added is None else added
