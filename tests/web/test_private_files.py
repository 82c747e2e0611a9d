"""What may be served, on a real server: never the data folder, whatever a link says; and a rotated
secret ends every link and browser session signed with the old one, without a restart."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from crowdform.engine.background import Background
from crowdform.engine.clock import SystemClock
from crowdform.engine.file_access import FileAccess
from crowdform.engine.runtime import Runtime
from crowdform.engine.workforce import Workforce
from crowdform.secrets import rotate_secret
from tests.fixtures.servers import LiveServer, start_server
from tests.helpers import example_job, open_runtime, team_with_workers
from tests.web.test_admin_session import ADMIN_PASSWORD, admin_sign_in
from tests.web.test_portal import sign_in

PNG = b"\x89PNG\r\n\x1a\n fake image bytes"


@pytest.fixture
def live(tmp_path: Path, database_url: str) -> Iterator[tuple[LiveServer, Runtime]]:
    # tmp_path is a storage root (as the working directory is for `crowdform serve`) and holds the data
    # folder and, on SQLite, the database file.
    runtime = open_runtime(tmp_path, database_url)
    server = start_server(runtime.settings, runtime)
    yield server, runtime
    server.stop()
    runtime.close()


def forged_link(runtime: Runtime, path: Path) -> str:
    """A link to ``path`` signed with the server's own secret, as someone holding the secret would make it
    (bypassing every check that ``grant`` makes): the server must refuse what it names by itself."""
    key = hmac.new(runtime.secret.encode(), b"crowdform file URL v1", hashlib.sha256).digest()
    uri, expires_at = f"file://{path}", int(time.time()) + 600
    mac = hmac.new(key, f"{expires_at}\n{uri}".encode(), hashlib.sha256).digest()

    def encode(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
    return f"/files/{encode(uri.encode())}.{expires_at}.{encode(mac)}"


def private_files(runtime: Runtime, database_url: str) -> list[Path]:
    data = runtime.settings.data_dir.resolve()
    files = [data / "secrets.json", data / "config.toml"]
    (data / "config.toml").write_text("token = 'x'")
    if database_url.startswith("sqlite:///"):
        files.append(Path(database_url[len("sqlite:///"):]))
    return files


def test_files_never_serves_the_data_folder_even_with_a_valid_signature(live: tuple[LiveServer, Runtime],
                                                                       database_url: str) -> None:
    server, runtime = live
    with server.client() as client:
        assert client.get(forged_link(runtime, runtime.settings.buckets_dir / "none.png")).status_code == 404
        for path in private_files(runtime, database_url):
            assert path.is_file()
            reply = client.get(forged_link(runtime, path))
            assert reply.status_code == 403, (path, reply.text)
            assert reply.json()["error"] == "Forbidden" and "private data folder" in reply.json()["message"]
            assert reply.headers["x-content-type-options"] == "nosniff"
            secret_text = runtime.secret
            assert secret_text not in reply.text and "SQLite format" not in reply.text


def test_the_buckets_folder_is_served_and_grant_refuses_the_rest(live: tuple[LiveServer, Runtime]) -> None:
    server, runtime = live
    bucket = runtime.settings.buckets_dir / "photos"
    bucket.mkdir(parents=True)
    (bucket / "owl.png").write_bytes(PNG)
    signer = FileAccess.from_settings(runtime.settings, secret=runtime.secret, storage=runtime.storage,
                                      clock=SystemClock())
    with server.client() as client:
        assert client.get(signer.grant(str(bucket / "owl.png"))).content == PNG
    with pytest.raises(Exception, match="private data folder"):
        signer.grant(str(runtime.settings.data_dir / "secrets.json"))


def test_hidden_files_under_the_roots_are_never_served(live: tuple[LiveServer, Runtime], tmp_path: Path) -> None:
    server, runtime = live
    (tmp_path / ".aws").mkdir()
    (tmp_path / ".aws" / "credentials").write_text("aws_secret_access_key = abc")
    with server.client() as client:
        reply = client.get(forged_link(runtime, tmp_path / ".aws" / "credentials"))
    assert reply.status_code == 403 and "hidden" in reply.json()["message"] and "abc" not in reply.text


def test_a_link_forged_with_another_secret_is_refused(live: tuple[LiveServer, Runtime], tmp_path: Path) -> None:
    server, runtime = live
    (tmp_path / "owl.png").write_bytes(PNG)
    forger = FileAccess.from_settings(runtime.settings, secret="guessed", storage=runtime.storage, clock=SystemClock())
    with server.client() as client:
        reply = client.get(forger.grant(str(tmp_path / "owl.png")))
    assert reply.status_code == 403 and "not valid" in reply.json()["message"]


def wait_for(check: Callable[[], bool], seconds: float = 15) -> bool:
    """Poll ``check`` until it holds (a rotation shows within a second; this allows a slow machine)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return check()


def test_rotating_the_secret_ends_links_and_browser_sessions_without_a_restart(
        live: tuple[LiveServer, Runtime], tmp_path: Path) -> None:
    server, runtime = live
    team_with_workers(runtime, "animal-team", 1)
    Workforce(runtime).create_admin("root", ADMIN_PASSWORD)
    admin_token = Workforce(runtime).create_admin_token("script")
    example_job(runtime, tmp_path)
    Background(runtime).run_until_idle()
    (tmp_path / "owl.png").write_bytes(PNG)
    signer = FileAccess.from_settings(runtime.settings, secret=runtime.signing_secret, storage=runtime.storage,
                                      clock=SystemClock())
    old_link = signer.grant(str(tmp_path / "owl.png"))
    worker, _ = sign_in(server)
    console, _ = admin_sign_in(server)
    files = server.client()
    assert files.get(old_link).status_code == 200
    assert worker.get("/portal").status_code == 200 and console.get("/admin/jobs").status_code == 200

    rotate_secret(runtime.settings)

    assert wait_for(lambda: files.get(old_link).status_code == 403)
    assert "not valid" in files.get(old_link).json()["message"]
    portal = worker.get("/portal")
    assert portal.status_code == 303 and portal.headers["location"].startswith("/portal/login")
    assert worker.get("/api/v1/worker/jobs").status_code == 401  # the cookie is no session any more
    admin = console.get("/admin/jobs")
    assert admin.status_code == 303 and admin.headers["location"].startswith("/admin/login")
    # Links signed now, sign-ins now and API tokens work.
    assert files.get(signer.grant(str(tmp_path / "owl.png"))).content == PNG
    again, answer = sign_in(server)
    assert answer.status_code == 303 and again.get("/portal").status_code == 200
    assert httpx.get(f"{server.url}/api/v1/jobs", headers={"Authorization": f"Bearer {admin_token}"}).status_code == 200
