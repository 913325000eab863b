"""supervisor_review(): identity from JupyterHub or user=, refusal of non-supervisors, a page either way."""

from __future__ import annotations

import pytest

from itp_toolkit.apps import supervisor_review
from itp_toolkit.widgets.supervisor import SupervisorReview
from tests.compare.review_clinic import open_review_clinic


@pytest.fixture
def clinic(tmp_path):
    yield from open_review_clinic(tmp_path)


def test_the_hub_user_is_the_supervisor(clinic, monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_USER", "dr.okafor")
    page = supervisor_review(store=clinic.store)
    assert isinstance(page, SupervisorReview) and page.user == "dr.okafor"
    assert [name for name, _ in page.cohort_picker.options] == ["All my cohorts", "Cohort A"]


def test_asking_to_act_as_someone_else_under_a_hub_is_refused(clinic, monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_USER", "ana")
    page = supervisor_review(store=clinic.store, user="dr.okafor")
    assert not isinstance(page, SupervisorReview)
    assert "cannot act as dr.okafor" in page.children[-1].value


def test_a_trainee_gets_a_refusal_not_the_review_tools(clinic, monkeypatch):
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    page = supervisor_review(store=clinic.store, user="ben")
    assert "not a supervisor" in page.message.value and page.load_button.disabled


def test_no_store_and_no_workspace_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    page = supervisor_review(tmp_path / "nowhere")
    assert "workspace" in page.children[-1].value
