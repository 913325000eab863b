"""One rule for who a page acts for: the hub's user wins; ?as= only in a demo workspace."""

from __future__ import annotations

import pytest

from itp_toolkit.apps.identity import requested_in_address, resolve_user, workspace_user
from itp_toolkit.errors import PermissionDenied
from itp_toolkit.services.workspace import Workspace, WorkspaceConfig


def test_as_in_the_address_chooses_the_person_in_a_demo_workspace():
    assert resolve_user(None, "director", demo=True, environ={"QUERY_STRING": "as=ana"}) == "ana"


def test_as_in_the_address_is_refused_outside_a_demo_workspace_with_a_reason():
    with pytest.raises(PermissionDenied, match="only works in a demo workspace"):
        resolve_user(None, "director", demo=False, environ={"QUERY_STRING": "as=ana"})


def test_the_hub_user_wins_over_as_even_in_a_demo():
    env = {"JUPYTERHUB_USER": "ben", "QUERY_STRING": "as=ana"}
    with pytest.raises(PermissionDenied, match="belongs to ben"):
        resolve_user(None, "director", demo=True, environ=env)
    assert (
        resolve_user(
            None, "director", demo=True, environ={"JUPYTERHUB_USER": "ben", "QUERY_STRING": "as=ben"}
        )
        == "ben"
    )
    assert resolve_user(None, "director", environ={"JUPYTERHUB_USER": "ben"}) == "ben"


def test_a_username_that_is_not_one_is_refused():
    with pytest.raises(PermissionDenied, match="needs a username"):
        resolve_user(None, "director", demo=True, environ={"QUERY_STRING": "as=%3Cscript%3E"})


def test_without_hub_or_address_the_request_then_the_configured_user():
    assert resolve_user("ana", "director", environ={}) == "ana"
    assert resolve_user(None, "director", environ={"QUERY_STRING": "x=1"}) == "director"
    with pytest.raises(PermissionDenied):
        resolve_user(None, None, environ={})


def test_query_string_parsing_takes_the_last_as():
    assert requested_in_address({"QUERY_STRING": "as=ana&as=ben"}) == "ben"
    assert requested_in_address({}) is None


def test_the_demo_flag_comes_from_the_workspace_file(tmp_path, monkeypatch):
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    plain = Workspace.init(tmp_path / "plain", user="director")
    assert plain.config.demo is False
    reopened = Workspace.open(plain.path)
    with pytest.raises(PermissionDenied):
        workspace_user(reopened, environ={"QUERY_STRING": "as=ana"})
    demo = Workspace(tmp_path, WorkspaceConfig(user="director", demo=True))
    assert workspace_user(demo, environ={"QUERY_STRING": "as=ana"}) == "ana"
    plain.close()


def test_a_preheated_kernel_waits_for_the_request_before_deciding_who_the_page_is_for(monkeypatch):
    """Voila started the kernel and ran the page before anyone asked: the query string arrives later."""
    import voila.utils  # type: ignore[import-untyped]

    from itp_toolkit.apps import identity

    waited: list[int] = []

    def request_arrives() -> None:
        waited.append(1)
        monkeypatch.setenv("QUERY_STRING", "as=ana")

    monkeypatch.setattr(voila.utils, "wait_for_request", request_arrives)
    monkeypatch.setattr(identity, "_request_received", False)
    monkeypatch.setenv("VOILA_PREHEAT", "True")
    monkeypatch.delenv("QUERY_STRING", raising=False)
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    assert resolve_user(None, "director", demo=True) == "ana"
    assert resolve_user(None, "director", demo=True) == "ana"
    assert waited == [1]  # once per kernel


def test_a_kernel_started_for_its_request_does_not_wait(monkeypatch):
    import voila.utils  # type: ignore[import-untyped]

    from itp_toolkit.apps import identity

    monkeypatch.setattr(voila.utils, "wait_for_request", lambda: pytest.fail("waited without a pool"))
    monkeypatch.setattr(identity, "_request_received", False)
    monkeypatch.setenv("VOILA_PREHEAT", "False")
    monkeypatch.setenv("QUERY_STRING", "as=ben")
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    assert resolve_user(None, "director", demo=True) == "ben"
