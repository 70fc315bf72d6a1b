"""Socket.IO against a real server, in both profiles, with the JavaScript socket.io-client."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from domain.values import Role
from infrastructure.dev_tokens import DevTokens
from tests.e2e.realtime.conftest import Live
from tests.e2e.realtime.test_socketio import someone

NODE_DIR = Path(__file__).parent / "node"


def run_script(live: Live, token: str, forged: str, other_session: str) -> dict:
    node = shutil.which("node")
    assert node, "Node.js is required for the JavaScript client tests"
    assert (NODE_DIR / "node_modules" / "socket.io-client").is_dir(), "run `make node` first"
    run = subprocess.run([node, "script.mjs", live.url, token, forged, other_session], cwd=NODE_DIR,
                         capture_output=True, text=True, timeout=30, check=False)
    assert run.returncode == 0, f"exit {run.returncode}: {run.stdout} {run.stderr}"
    return json.loads(run.stdout)


def test_the_javascript_client_connects_gets_its_push_and_stays_out_of_other_rooms(live):
    uid, other = someone("alice"), someone("bob")
    theirs = live.start_session(other)
    live.read_session(theirs["id"], other, theirs["position"])
    stranger = DevTokens("a-signing-key-that-gymgenius-never-trusted", lambda: datetime.now(UTC))
    seen = run_script(live, live.token(uid), stranger.issue(uid, Role.CLIENT), theirs["id"])
    assert seen["withoutToken"] == {"connected": False, "reason": "a token is required"}
    assert seen["forgedToken"] == {"connected": False, "reason": "invalid token"}
    assert seen["connected"] is True
    push, command = seen["push"], seen["command"]
    assert (push["id"], push["position"]) == (command["id"], command["position"])
    assert push["data"] == live.read_session(command["id"], uid, command["position"])
    assert (seen["joinOwn"], seen["joinOther"]) == ({"ok": True}, {"ok": False})
