"""Django's Redis cache backend, with one client object per connection pool.

Django's ``RedisCacheClient`` builds a new ``redis.Redis`` for every cache call.
Building one fills a table of a few hundred response callbacks, which on a
small machine costs as much CPU as the round trip it serves (the ingest
profile showed a millisecond a call). A client holds no state beyond its pool
and is safe to share between threads, so one per pool is kept. Settings pick
this backend for every ``redis://`` cache (``portal.settings.base``).
"""

from django.core.cache.backends import redis


class RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client


class RedisCache(redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
