"""GET /actions/{id}, /institutions and /recommendations: what the graph holds."""
from __future__ import annotations

from fastapi import APIRouter, Path, Request

from api.errors import ApiError
from kg import catalog
from kg.vocab import action_iri_from_short_id

router = APIRouter(tags=["catalog"])


INSTITUTION_EXAMPLE = [{
    "institution": "https://w3id.org/tckg/id/northumbria", "name": "Northumbria University",
    "plan": "https://w3id.org/tckg/id/northumbria/plan",
    "title": "Technician Commitment action plan (24 months)", "period_start": "2022-01",
    "period_end": "2024-12", "actions": 39, "summary_recommendations_addressed": 14,
    "summary_recommendations_suggested": 12, "suggestion_threshold": 0.4}]
RECOMMENDATION_EXAMPLE = [{
    "recommendation": "https://w3id.org/tckg/id/talent-R11", "code": "R11",
    "label": "Visibility and recognition of technical contributions", "definition": "…",
    "kind": "summary", "asserted": {"actions": 9, "institutions": 2},
    "suggested": {"actions": 14, "institutions": 5, "min_score": 0.4}}]


def _example(value) -> dict:
    return {200: {"content": {"application/json": {"example": value}}}}


@router.get("/actions/{action_id}", summary="one action with every field its source gives",
            responses={404: {"description": "no such action"}, **_example({
                "action": "https://w3id.org/tckg/id/manchester-met/action/3.4",
                "institution": "Manchester Metropolitan University", "local_id": "3.4",
                "text": "Review and further develop the existing Technical Services Fair "
                        "Attribution Policy…", "pillars": ["Recognition"],
                "recommendations": ["E3"], "source": ["manchester-met-2024-2027.txt"]})})
def action(request: Request,
           action_id: str = Path(description="short id: institution:local id",
                                 examples=["manchester-met:3.4"])) -> dict:
    found = catalog.action(request.app.state.store, str(action_iri_from_short_id(action_id)))
    if found is None:
        raise ApiError(404, f"no action {action_id!r}; ids look like northumbria:16 "
                            "(see /search or /institutions)")
    return found


@router.get("/institutions", summary="institutions with their plans and coverage counts",
            responses=_example(INSTITUTION_EXAMPLE))
def institutions(request: Request) -> list[dict]:
    return request.app.state.catalog["institutions"]


@router.get("/recommendations",
            summary="TALENT recommendations R1-R16 and E1-E23 with coverage counts",
            responses=_example(RECOMMENDATION_EXAMPLE))
def recommendations(request: Request) -> list[dict]:
    return request.app.state.catalog["recommendations"]
