"""The container's health check: GET /healthz on the app in this container.

/healthz answers "ok" when the app runs and reaches its database; it is
exempt from the HTTPS redirect. The request names the first of
DJANGO_ALLOWED_HOSTS as its host, so the app does not refuse it. Exit status
0 when healthy, 1 otherwise (what Docker expects)."""

import os
import sys
import urllib.request


def main() -> int:
    hosts = os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost").split(",")
    host = hosts[0].strip().lstrip("*.") or "localhost"
    port = os.environ.get("PORT", "8000")
    request = urllib.request.Request(f"http://127.0.0.1:{port}/healthz", headers={"Host": host})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            healthy = response.status == 200 and response.read().strip() == b"ok"
    except OSError as error:
        print(f"unhealthy: {error}", file=sys.stderr)
        return 1
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
