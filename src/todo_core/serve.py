"""Running a service under uvicorn with a shutdown that drops no request.

On SIGTERM the service keeps serving, and keeps answering /readyz as before, for
`shutdown_delay_seconds`; then it reports unready, uvicorn stops accepting and lets in-flight
requests finish. A second signal exits at once.

Kubernetes takes a terminating pod out of its Service's ready endpoints by itself, the moment the
pod is deleted, so new connections go elsewhere during the delay without any help from /readyz.
Staying ready (in EndpointSlice terms, "serving") during the delay matters when every replica is
replaced at once: kube-proxy then sends traffic to terminating pods that still serve until a new
pod is ready (KEP-1669), instead of refusing it. A pod that turned unready at SIGTERM would give
up that fallback and leave a gap as long as its successor's start."""

import logging
import signal
import time
from types import FrameType
from typing import Any

import uvicorn

from todo_core.readiness import Readiness
from todo_core.settings import ServiceSettings

log = logging.getLogger(__name__)


class DrainingServer(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, readiness: Readiness, delay_seconds: float) -> None:
        super().__init__(config)
        self.readiness = readiness
        self.delay_seconds = delay_seconds
        self._exit_at: float | None = None
        self._signal: int | None = None

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if self._signal is not None or self.delay_seconds <= 0:
            self.readiness.draining = True
            super().handle_exit(sig, frame)
            return
        log.info("shutdown_requested serving_for_seconds=%s", self.delay_seconds)
        self._signal = sig
        self._exit_at = time.monotonic() + self.delay_seconds

    async def on_tick(self, counter: int) -> bool:
        if self._exit_at is not None and self._signal is not None and time.monotonic() >= self._exit_at:
            self._exit_at = None
            self.readiness.draining = True
            log.info("shutdown_draining unready=true")
            super().handle_exit(self._signal, None)
        return await super().on_tick(counter)


def _exit_cleanly(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


def serve(app: Any, settings: ServiceSettings, readiness: Readiness) -> None:
    # uvicorn re-raises the stopping signal once it has shut down; a drained, finished server is a
    # clean exit (status 0), not a death by SIGTERM or a KeyboardInterrupt traceback.
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, _exit_cleanly)
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=settings.shutdown_timeout_seconds,
        timeout_keep_alive=5,
    )
    DrainingServer(config, readiness, settings.shutdown_delay_seconds).run()
