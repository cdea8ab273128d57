"""GET /suggest: the plan author's assistant over HTTP, as `tckg suggest --json`."""
from __future__ import annotations

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from api.errors import ApiError
from api.routes.search import SearchResult
from search.engine import QueryRejected

router = APIRouter(tags=["search"])


class ScoredPillar(BaseModel):
    label: str = Field(examples=["Recognition"])
    score: float = Field(examples=[0.64])


class ScoredRecommendation(BaseModel):
    code: str = Field(examples=["R11"])
    label: str = Field(examples=["Visibility and recognition of technical contributions"])
    score: float = Field(description="probability the action serves the recommendation",
                         examples=[0.55])


class Suggestions(BaseModel):
    pillars: list[ScoredPillar] = Field(description="all four pillars, best first")
    recommendations: list[ScoredRecommendation] = Field(
        description="the five best of R1-R16, best first")
    similar: list[SearchResult] = Field(description="the most similar existing actions")


@router.get("/suggest", response_model=Suggestions,
            summary="pillars and TALENT recommendations suggested for a draft action, "
                    "with the most similar existing actions",
            responses={400: {"description": "empty or over-long text"}})
def suggest(request: Request,
            text: str = Query(description="the draft action's text",
                              examples=["Credit technicians as co-authors on research papers"]),
            limit: int = Query(5, ge=1, le=100, description="similar actions to return")) -> dict:
    try:
        return request.app.state.assistant.suggest(text, limit)
    except QueryRejected as err:
        raise ApiError(400, str(err)) from None
