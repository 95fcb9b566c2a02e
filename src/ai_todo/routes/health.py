"""Liveness and readiness. Readiness depends on this service's own database only: an mcp-server
outage must not empty the Service (each chat answers 503 instead)."""

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", response_model=None)
async def readyz(request: Request) -> JSONResponse:
    verdict = await run_in_threadpool(request.app.state.readiness.verdict)
    return JSONResponse(verdict.body(), status_code=verdict.status_code)
