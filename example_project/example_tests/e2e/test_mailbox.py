"""`make mailbox` for real: the example sends the reset e-mail over SMTP (EXAMPLE_EMAIL=smtp)
to the sink on 127.0.0.1, which prints it and saves it in its folder."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from .conftest import DEMO, EXAMPLE_DIR, Mailbox, example_env, free_port, running_example, stop

pytestmark = pytest.mark.e2e


def wait_for_port(port: int, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"the SMTP sink did not listen on 127.0.0.1:{port}")


def test_reset_mail_goes_over_smtp_to_the_mailbox(tmp_path: Path, artifacts: Path) -> None:
    port = free_port()
    folder = tmp_path / "mailbox"
    sink = subprocess.Popen(
        [sys.executable, "manage.py", "mailbox", "--port", str(port), "--dir", str(folder)],
        cwd=EXAMPLE_DIR,
        env=example_env(PYTHONUNBUFFERED="1"),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_for_port(port, sink)
        with running_example(
            tmp_path / "site",
            artifacts / "server-smtp.log",
            EXAMPLE_EMAIL="smtp",
            EXAMPLE_SMTP_PORT=str(port),
        ) as server:
            response = requests.post(
                server.url("/graphql"),
                json={
                    "query": "mutation($email: String!) { requestPasswordReset(email: $email) "
                    "{ ok errors { code } } }",
                    "variables": {"email": DEMO["email"]},
                },
                timeout=15,
            )
            assert response.json() == {"data": {"requestPasswordReset": {"ok": True, "errors": []}}}
            mail = Mailbox(folder).expect(DEMO["email"])
            link = mail.reset_link
            assert link.startswith(server.url("/reset-password/?token="))
            # Nothing went to the server's own mail folder: SMTP replaced it.
            assert not (tmp_path / "site" / "sent_emails").exists()
            # The link works: the page opens and the token validates.
            token = link.split("token=", 1)[1]
            validate = requests.post(
                server.url("/graphql"),
                json={"query": f'{{ validateResetToken(token: "{token}") {{ valid }} }}'},
                timeout=15,
            )
            assert validate.json() == {"data": {"validateResetToken": {"valid": True}}}
    finally:
        stop(sink)
        output, _ = sink.communicate()
    assert sink.returncode == 0, output  # SIGTERM stops it cleanly
    assert "SMTP sink listening on 127.0.0.1" in output
    assert f"to {DEMO['email']}: saved" in output
    assert link in output.replace("=\n", "")  # printed, as it arrived
