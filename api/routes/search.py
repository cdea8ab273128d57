"""GET /search and GET /actions/{id}/similar: the CLI's result objects over HTTP."""
from __future__ import annotations

from datetime import date
from typing import Literal

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field

from api.errors import ApiError
from kg.suggested import LINKS, THRESHOLD
from search.engine import QueryRejected, UnknownAction
from search.filters import FilterError, Filters

router = APIRouter(tags=["search"])


class SuggestedLink(BaseModel):
    code: str = Field(examples=["R11"])
    score: float = Field(description="probability the action serves the recommendation",
                         examples=[0.62])


class SearchResult(BaseModel):
    action: str = Field(description="the action's IRI",
                        examples=["https://w3id.org/tckg/id/northumbria/action/16"])
    id: str = Field(description="short id, institution:local id", examples=["northumbria:16"])
    local_id: str = Field(description="the plan's own number", examples=["16"])
    institution: str = Field(examples=["Northumbria University"])
    text: str = Field(description="the whole action text")
    score: float = Field(description="0.75 × cosine + 0.25 × BM25 relative to the query's best",
                         examples=[0.768])
    pillars: list[str] = Field(examples=[["Recognition"]])
    recommendations: list[str] = Field(description="TALENT codes the institution links (asserted)",
                                       examples=[["R11"]])
    recommendations_via_crosswalk: list[str] = Field(
        description="R-codes reached from asserted E-codes through the curated crosswalk")
    suggested_recommendations: list[SuggestedLink] = Field(
        description="the machine's suggested links (R1-R16), best first, with scores; "
                    "never what the institution states")
    due_by: str | None = Field(description="last day of the deadline, when there is one",
                               examples=["2023-12-31"])


def _run(call):
    try:
        return call()
    except (QueryRejected, FilterError) as err:
        raise ApiError(400, str(err)) from None
    except UnknownAction as err:
        raise ApiError(404, str(err)) from None


@router.get("/search", response_model=list[SearchResult], summary="hybrid semantic search",
            responses={400: {"description": "empty or over-long query, unknown filter value"}})
def search(request: Request,
           q: str = Query(description="what to look for", examples=["fair attribution policy"]),
           limit: int = Query(10, ge=1, le=100),
           institution: str | None = Query(None, examples=["northumbria"]),
           pillar: str | None = Query(None, examples=["Recognition"]),
           recommendation: str | None = Query(None, examples=["R11"]),
           links: Literal[LINKS] | None = Query(
               None, description="which links `recommendation` matches: stated by the "
                                 "institution (the default), suggested by the machine, or either"),
           min_score: float | None = Query(
               None, ge=0, le=1, description=f"least score of a suggested link (default {THRESHOLD})"),
           owner_type: str | None = Query(None, examples=["Human resources"]),
           due_from: date | None = None, due_to: date | None = None) -> list[dict]:
    filters = Filters(institution=institution, pillar=pillar, recommendation=recommendation,
                      links=links, min_score=min_score, owner_type=owner_type, due_from=due_from, due_to=due_to)
    return _run(lambda: request.app.state.searcher.search(q, limit, filters))


@router.get("/actions/{action_id}/similar", response_model=list[SearchResult],
            summary="the actions most like one action, other institutions' only unless asked",
            responses={404: {"description": "no such action"}})
def similar(request: Request,
            action_id: str = Path(description="short id: institution:local id",
                                  examples=["northumbria:16"]),
            limit: int = Query(10, ge=1, le=100), same_institution: bool = False) -> list[dict]:
    return _run(lambda: request.app.state.searcher.similar(action_id, limit, same_institution))
