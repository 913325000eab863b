"""Structured effects of timeline events (what an event ends, restarts and resolves) and who a person depends
on to get to care: optional case data, checked against the case."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from itp_toolkit.model import EventEnd, TimelineEvent
from tests.checks.builders import make_case


def _event(id: str, week: int, **effects) -> TimelineEvent:
    return TimelineEvent(id=id, week=week, title=f"Event {id}", description="Something happened.", **effects)


def test_an_event_without_effects_loads_as_before():
    event = TimelineEvent.model_validate(
        {"id": "e-x", "week": 3, "title": "A change", "description": "Something happened."}
    )
    assert (event.ends, event.restarts, event.resolves) == ([], [], [])


def test_what_has_ended_by_a_week_follows_stops_and_restarts():
    case = make_case(
        timeline=[
            _event("e-stop", 6, ends=[EventEnd(what="sertraline", kind="medication")]),
            _event("e-back", 12, restarts=["Sertraline"]),
        ]
    )
    assert case.ended_by(5) == []
    assert [(e.id, end.what) for e, end in case.ended_by(6)] == [("e-stop", "sertraline")]
    assert case.ended_by(12) == []


def test_resolved_barriers_by_week():
    case = make_case(timeline=[_event("e-car", 6, resolves=["b-bus"])])
    assert case.resolved_by(5) == {}
    assert list(case.resolved_by(6)) == ["b-bus"]


def test_an_event_must_resolve_a_barrier_of_the_case():
    with pytest.raises(ValidationError, match="not a barrier of this case"):
        make_case(timeline=[_event("e-car", 6, resolves=["s-sister"])])


def test_an_event_can_restart_only_what_an_earlier_event_ended():
    with pytest.raises(ValidationError, match="no earlier event ends"):
        make_case(timeline=[_event("e-back", 6, restarts=["sertraline"])])


def test_names_include_other_words_longest_first():
    end = EventEnd(what="the school health centre", kind="service", also_called=["school centre"])
    assert end.names() == ["the school health centre", "school centre"]
