"""A TypeScript client generated from /openapi.json with openapi-typescript compiles strictly,
and none of its answers is typed `unknown` or `any`."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

NODE_DIR = Path(__file__).parent / "node"
BIN = NODE_DIR / "node_modules" / ".bin"
# A type that is `any` or `unknown` makes the check false; anything narrower makes it true.
TYPED = "type Typed<T> = 0 extends 1 & T ? false : unknown extends T ? false : true;\n"


def run(*command: str | Path, cwd: Path) -> str:
    assert shutil.which("node"), "Node.js is required for the contract tests"
    assert BIN.is_dir(), "run `make node` first"
    done = subprocess.run([str(c) for c in command], cwd=cwd, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, f"{command[0]} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def answer_checks(document: dict[str, Any]) -> str:
    """One compile-time check per documented answer body: `Typed<...>` must be `true`."""
    lines = ['import type { operations } from "./gymgenius";', TYPED]
    for by_method in document["paths"].values():
        for operation in by_method.values():
            named = operation["operationId"]
            for status, answer in operation["responses"].items():
                for kind in answer["content"]:
                    body = f'operations["{named}"]["responses"][{status}]["content"]["{kind}"]'
                    name = re.sub(r"\W", "_", f"{named}_{status}_{kind}")
                    lines.append(f"export const {name}: Typed<{body}> = true;")
    return "\n".join(lines) + "\n"


def test_the_generated_typescript_client_compiles_strictly_with_every_answer_typed(document, tmp_path):
    (tmp_path / "openapi.json").write_text(json.dumps(document))
    run(BIN / "openapi-typescript", tmp_path / "openapi.json", "-o", tmp_path / "gymgenius.d.ts",
        cwd=NODE_DIR)
    generated = (tmp_path / "gymgenius.d.ts").read_text()
    assert not re.findall(r'"[\w.+-]+/[\w.+-]+"\??: (?:unknown|any)\b', generated), "an answer is untyped"
    assert not re.findall(r"(?<![\w\"])any\b(?=[;,)\]|>\s])", re.sub(r"/\*.*?\*/", "", generated, flags=re.S))
    shutil.copy(NODE_DIR / "client_usage.ts", tmp_path / "client_usage.ts")
    (tmp_path / "answer_checks.ts").write_text(answer_checks(document))
    run(BIN / "tsc", "--strict", "--noEmit", "--target", "es2022", "--module", "es2022",
        "--moduleResolution", "bundler", "client_usage.ts", "answer_checks.ts", cwd=tmp_path)
