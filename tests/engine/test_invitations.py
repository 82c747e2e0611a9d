"""Invitation links: a worker added without a password chooses one through a one-time, expiring link."""

from __future__ import annotations

from pathlib import Path

import pytest

from crowdform.engine.clock import ManualClock
from crowdform.engine.invitations import INVITATION_SECONDS, Invitations
from crowdform.engine.workforce import Workforce
from crowdform.errors import Conflict, InvalidInput, NotFound, Unauthorized
from tests.helpers import open_runtime


def invitations_in(tmp_path: Path, database_url: str, clock: ManualClock | None = None) -> Invitations:
    runtime = open_runtime(tmp_path, database_url, clock=clock)
    workforce = Workforce(runtime)
    workforce.create_team("t")
    return Invitations(runtime, workforce)


def test_an_invited_worker_sets_a_password_once_and_can_then_sign_in(tmp_path: Path, database_url: str) -> None:
    invitations = invitations_in(tmp_path, database_url)
    worker, token = invitations.invite("carol@example.com", team="t")
    assert invitations.link(token) == f"http://127.0.0.1:8080/portal/invitations/{token}"
    with pytest.raises(Unauthorized):  # no password yet: nobody can sign in as carol
        invitations.workforce.login("carol@example.com", "")
    assert invitations.invited_username(token) == "carol@example.com"
    with pytest.raises(InvalidInput):
        invitations.accept(token, "short")
    session = invitations.accept(token, "carols-password")
    assert invitations.workforce.authenticate(session).worker == worker
    assert invitations.workforce.login("carol@example.com", "carols-password")
    with pytest.raises(Conflict, match="used already"):
        invitations.accept(token, "another-password")
    assert invitations.workforce.teams_of(worker.id) == ("t",)
    invitations.runtime.close()


def test_links_expire_and_a_new_invitation_retires_the_old_link(tmp_path: Path, database_url: str) -> None:
    clock = ManualClock()
    invitations = invitations_in(tmp_path, database_url, clock)
    _, first = invitations.invite("dave", team="t")
    _, second = invitations.invite("dave", team="t")
    with pytest.raises(Conflict, match="expired"):
        invitations.invited_username(first)
    clock.advance(INVITATION_SECONDS + 1)
    with pytest.raises(Conflict, match="expired"):
        invitations.accept(second, "daves-password")
    with pytest.raises(NotFound):
        invitations.invited_username("made-up-token")
    invitations.runtime.close()


def test_resetting_a_password_ends_sessions_and_only_the_new_link_lets_the_worker_in(tmp_path: Path,
                                                                                     database_url: str) -> None:
    invitations = invitations_in(tmp_path, database_url)
    _, first = invitations.invite("erin", team="t")
    session = invitations.accept(first, "erins-password")
    assert invitations.awaiting_password("t") == set()
    worker, token = invitations.reset_password("erin")
    assert invitations.awaiting_password("t") == {"erin"}
    with pytest.raises(Unauthorized):
        invitations.workforce.authenticate(session)
    with pytest.raises(Unauthorized):
        invitations.workforce.login("erin", "erins-password")
    assert invitations.invited_username(token) == "erin"
    assert invitations.workforce.authenticate(invitations.accept(token, "erins-new-password")).worker == worker
    with pytest.raises(NotFound, match="'nobody' does not exist"):
        invitations.reset_password("nobody")
    invitations.runtime.close()
