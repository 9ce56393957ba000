"""The message queue that joins the server processes of a scale-out (Redis pub/sub).

python-socketio's ``RedisManager`` delivers every emit to the local clients first and then
publishes it for the other processes. When Redis is away it logs the failure and drops the
message, and its listener retries with a back-off that grows to a minute. That is the right
shape, but a live workshop needs three more things, added here:

- a publish that failed is *counted*, so the broadcaster can send that activity again on its
  next round instead of leaving the other processes' screens on an old total;
- every time the listener comes back after an outage it says so, so this process re-sends
  the current state of its workshops (the other processes may have published while it was
  not listening);
- short time-outs and a capped back-off (2 s): a stopped Redis must never hold a vote's
  acknowledgement, and service must resume within seconds of Redis being back.

Publishing and listening use separate Redis clients: the publisher has a socket time-out, the
listener must not (an idle subscription is normal) and relies on TCP keep-alive instead.
"""

from __future__ import annotations

import logging
import time

import socketio

log = logging.getLogger(__name__)

MAX_BACKOFF = 2.0
RETRY_AFTER = 0.5  # seconds a failed publisher waits before it tries Redis again


class QueueManager(socketio.RedisManager):
    name = "redis"

    def __init__(self, url: str, channel: str, timeout: float = 2.0):
        super().__init__(url, channel=channel, write_only=False, logger=log)
        self.timeout = timeout
        self.publish_failures = 0
        self.reconnects = 0  # times the listener subscribed again after losing Redis
        self.listening = False
        self._listener_client = None
        self._down_until = 0.0

    # --- connections -----------------------------------------------------------------------
    def _client(self, **extra):
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        return redis.Redis.from_url(
            self.redis_url,
            socket_connect_timeout=self.timeout,
            socket_keepalive=True,
            # One immediate retry covers a pooled connection that Redis closed on a restart;
            # redis-py's default (exponential back-off) would hold the caller for seconds.
            retry=Retry(NoBackoff(), 1),
            **extra,
        )

    def _redis_connect(self) -> None:  # the publisher's client
        self.redis = self._client(socket_timeout=self.timeout)
        self.connected = True

    def _publish(self, data):  # pragma: no cover - exercised by tests/services
        # After a failure, publishes fail at once for a moment instead of each waiting for a
        # time-out (a hung Redis would otherwise hold every handler that emits).
        if time.monotonic() < self._down_until:
            self.publish_failures += 1
            return None
        for attempt in (1, 2):
            try:
                if not self.connected:
                    self._redis_connect()
                return self.redis.publish(self.channel, self.json.dumps(data))
            except Exception as exc:  # redis.RedisError, OSError, ...
                self.connected = False
                if attempt == 2:
                    self._down_until = time.monotonic() + RETRY_AFTER
                    self.publish_failures += 1
                    from ..db_errors import warn_throttled

                    warn_throttled("queue", "message queue: publish failed (%s); will send again", exc)
        return None

    def _redis_listen_with_retries(self):  # pragma: no cover - exercised by tests/services
        backoff = 0.25
        lost = False
        while True:
            try:
                self._listener_client = self._client()
                self.pubsub = self._listener_client.pubsub(ignore_subscribe_messages=True)
                self.pubsub.subscribe(self.channel)
                self.listening = True
                if lost:
                    self.reconnects += 1
                    log.warning("message queue: listening again")
                    lost = False
                backoff = 0.25
                yield from self.pubsub.listen()
            except Exception as exc:
                if not lost:
                    log.warning("message queue: lost the subscription (%s); retrying", exc)
                lost = True
                self.listening = False
                try:
                    if self.pubsub is not None:
                        self.pubsub.close()
                except Exception:
                    pass
                time.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)

    def status(self) -> dict:
        return {"listening": self.listening, "publish_failures": self.publish_failures, "reconnects": self.reconnects}


def make_manager(url: str | None, channel: str, timeout: float):
    """The client manager for ``url``: ours for redis://, python-socketio's Kombu one for
    other brokers (amqp://...), none (in-process) without a URL."""
    if not url:
        return None
    if url.startswith(("redis://", "rediss://", "unix://")):
        return QueueManager(url, channel=channel, timeout=timeout)
    return socketio.KombuManager(url, channel=channel)
