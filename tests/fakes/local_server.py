"""A fake third-party API as a real HTTP server on a free loopback port.

The fakes speak their vendors' wire formats over real HTTP, so the same
client code runs in tests and in production; this is their shared
lifecycle: ``async with Fake(...) as fake: fake.base_url``.
"""

from __future__ import annotations

import asyncio
import socket
from typing import Self

import uvicorn
from starlette.applications import Starlette
from starlette.routing import BaseRoute


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class LocalServer:
    def serve_routes(self, routes: list[BaseRoute]) -> None:
        """Set up the app; call from the fake's __init__ once its state exists."""
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.app = Starlette(routes=routes)
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Self:
        config = uvicorn.Config(
            self.app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off"
        )
        self._server = uvicorn.Server(config)
        self._task = asyncio.create_task(self._server.serve())
        while not self._server.started:
            if self._task.done():
                self._task.result()
            await asyncio.sleep(0.01)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            await self._task
