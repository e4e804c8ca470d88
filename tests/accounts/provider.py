"""A real OpenID Provider for the tests: tests/oidc_provider/server.mjs (the
certified `oidc-provider` npm package) run with the machine's Node.js on
127.0.0.1.

`npm ci` installs the package from the committed package-lock.json when
node_modules is missing (scripts/test.sh does it once before the workers
start). Without Node.js or npm the tests that need the provider are skipped
with the reason; scripts/system-deps.sh installs Debian's nodejs and npm.
"""

from __future__ import annotations

import fcntl
import json
import os
import select
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

PROVIDER_DIR = Path(__file__).resolve().parents[1] / "oidc_provider"
CLIENT_ID = "omsorgskontakt"
CLIENT_SECRET = "test-only-client-secret"


def _skip(reason: str) -> None:
    pytest.skip(f"OpenID Provider tests skipped: {reason}")


def node_executable() -> str:
    """Node.js with the provider package installed, or the test is skipped."""
    node = shutil.which("node") or shutil.which("nodejs")
    if node is None:
        _skip("Node.js is not installed (scripts/system-deps.sh installs nodejs and npm).")
    assert node is not None
    installed = PROVIDER_DIR / "node_modules" / "oidc-provider" / "package.json"
    if installed.exists():
        return node
    npm = shutil.which("npm")
    if npm is None:
        _skip("npm is not installed, so oidc-provider cannot be installed.")
    assert npm is not None
    # One installer at a time when several pytest workers get here together.
    with open(PROVIDER_DIR / ".npm-ci.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not installed.exists():
            result = subprocess.run(
                [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                cwd=PROVIDER_DIR,
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
            if result.returncode != 0:
                _skip(f"`npm ci` in {PROVIDER_DIR} failed: {result.stderr.strip()[-500:]}")
    return node


@dataclass
class OpenIDProvider:
    """One provider process. ``accounts`` may be changed between sign-ins
    (set_accounts): the provider reads them at every sign-in."""

    workdir: Path
    redirect_uris: list[str]
    post_logout_redirect_uris: list[str]
    issuer: str | None = None
    name: str = "op"
    # Answer without RFC 9207's iss parameter (as some providers do).
    omit_response_iss: bool = False
    url: str = ""
    process: subprocess.Popen[str] | None = field(default=None, repr=False)

    @property
    def accounts_file(self) -> Path:
        return self.workdir / f"{self.name}-accounts.json"

    @property
    def discovered_issuer(self) -> str:
        return self.issuer or self.url

    def set_accounts(self, accounts: dict[str, dict[str, Any]]) -> None:
        self.accounts_file.write_text(json.dumps(accounts), encoding="utf-8")

    def start(self) -> OpenIDProvider:
        node = node_executable()
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.set_accounts({})
        config = self.workdir / f"{self.name}-config.json"
        config.write_text(
            json.dumps(
                {
                    "issuer": self.issuer,
                    "omit_response_iss": self.omit_response_iss,
                    "accounts_file": str(self.accounts_file),
                    "clients": [
                        {
                            "client_id": CLIENT_ID,
                            "client_secret": CLIENT_SECRET,
                            "redirect_uris": self.redirect_uris,
                            "post_logout_redirect_uris": self.post_logout_redirect_uris,
                        }
                    ],
                }
            ),
            encoding="utf-8",
        )
        log = open(self.workdir / f"{self.name}.log", "w")  # noqa: SIM115  (kept by the process)
        self.process = subprocess.Popen(
            [node, str(PROVIDER_DIR / "server.mjs"), str(config)],
            cwd=PROVIDER_DIR,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            env={**os.environ, "NODE_ENV": "test"},
        )
        assert self.process.stdout is not None
        ready, _w, _x = select.select([self.process.stdout], [], [], 20)
        line = self.process.stdout.readline() if ready else ""
        if not line.startswith("listening "):
            self.stop()
            log.flush()
            output = (self.workdir / f"{self.name}.log").read_text()[-2000:]
            raise RuntimeError(f"The OpenID Provider did not start: {line!r}\n{output}")
        _word, self.url, _issuer = line.split()
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


def oidc_settings(settings: Any, provider: OpenIDProvider, **extra: Any) -> None:
    """Point the app at ``provider`` the way the environment would (the OIDC
    block of omsorg/settings.py), with the test provider's claim names."""
    from accounts.oidc import clear_metadata_cache

    settings.OIDC_ISSUER = provider.discovered_issuer
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_RP_SCOPES = "openid profile email groups"
    settings.OIDC_ORGANISATION = "Ekdala kommun"
    settings.OIDC_CLAIM_UNITS = "omsorg_enheter"
    settings.OIDC_ROLE_MAP = {
        "omsorg-chefer": "unit_manager",
        "omsorg-samordnare": "coordinator",
        "omsorg-personal": "care_staff",
    }
    for name in (
        "OIDC_OP_AUTHORIZATION_ENDPOINT",
        "OIDC_OP_TOKEN_ENDPOINT",
        "OIDC_OP_USER_ENDPOINT",
        "OIDC_OP_JWKS_ENDPOINT",
        "OIDC_OP_LOGOUT_ENDPOINT",
    ):
        setattr(settings, name, "")
    for name, value in extra.items():
        setattr(settings, name, value)
    clear_metadata_cache()
