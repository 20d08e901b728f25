"""A scripted OpenAI-compatible chat endpoint: a real HTTP server on loopback that answers what each test tells it."""

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response


@dataclass(frozen=True)
class Script:
    """What the next requests get after `delay` seconds: `content` as the assistant's message, an error status, or
    a `page` of HTML instead of a chat completion."""

    content: str = ""
    status: int = 200
    delay: float = 0.0
    page: str | None = None


class ScriptedLLM:
    """Records every chat-completions request body and answers it from the current script."""

    def __init__(self) -> None:
        self.script = Script()
        self.requests: list[dict[str, Any]] = []
        self.url = ""
        self.app = FastAPI()
        self.app.post("/v1/chat/completions")(self._complete)

    def reply(self, content: str = "", status: int = 200, delay: float = 0.0, page: str | None = None) -> None:
        """Script the replies and forget earlier requests."""
        self.script = Script(content, status, delay, page)
        self.requests.clear()

    async def _complete(self, request: Request) -> Response:
        body = await request.json()
        self.requests.append(body)
        script = self.script
        await asyncio.sleep(script.delay)
        if script.status != 200:
            error = {"message": "scripted failure", "type": "server_error", "code": None, "param": None}
            return JSONResponse({"error": error}, status_code=script.status)
        if script.page is not None:
            return HTMLResponse(script.page)
        prompt_tokens = sum(len(m["content"].split()) for m in body["messages"])
        completion_tokens = len(script.content.split())
        return JSONResponse(
            {
                "id": "chatcmpl-scripted",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": body["model"],
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": script.content, "refusal": None},
                        "logprobs": None,
                        "finish_reason": "stop",
                    }
                ],
                "usage": {
                    "prompt_tokens": prompt_tokens,
                    "completion_tokens": completion_tokens,
                    "total_tokens": prompt_tokens + completion_tokens,
                },
            }
        )


@contextmanager
def scripted_llm() -> Iterator[ScriptedLLM]:
    """The scripted endpoint served by uvicorn in a thread on a free loopback port; its base URL ends in /v1."""
    llm = ScriptedLLM()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    llm.url = f"http://127.0.0.1:{sock.getsockname()[1]}/v1"
    # A request a test left sleeping past its client's time-out must not hold up the shutdown.
    server = uvicorn.Server(uvicorn.Config(llm.app, log_level="warning", timeout_graceful_shutdown=1))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("scripted LLM server did not start")
        time.sleep(0.05)
    try:
        yield llm
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
