"""gunicorn's settings for the production image (read from the working
directory /app on start). Each value is chosen, not left at gunicorn's default;
the environment variables override them per installation."""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")

# Synchronous workers: the app is server-rendered and its slow requests
# (PDF rendering, a CSV import) are CPU-bound, so threads would not help.
# gunicorn's rule of thumb is 2 x cores + 1; three suits the small container
# (1-2 cores) a home-care unit's installation runs on, each worker holding
# about 100 MB. Raise it with the cores, not beyond what the memory allows.
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))

# The slowest legitimate requests, a year's continuity report as PDF or the
# import of a whole municipality's CSV (20 MB at most), take well under a
# minute on the demo hardware; 120 seconds leaves room without letting a hung
# worker block a slot for long. A worker past it is killed and restarted.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
# On a deploy or restart, requests under way get this long to finish.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
# Behind a reverse proxy that keeps connections open.
keepalive = 5

# Each worker is replaced after a while (at staggered moments), so memory a
# library might keep cannot creep up for good. The app's own creep (cyclic
# garbage that omsorg.gc moved past Python's collection counts, 45 KB a
# request) is fixed: under full load a worker went from 92 to 96 MB in 2,900
# requests, where it had reached 250 MB. Every replacement costs a second of
# a core (importing Django and the app) while the others serve: at full load
# the slowest 1 % of requests took 530-560 ms when each worker was replaced
# every 1,000 requests, 420-460 ms without replacements.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = 500
# Not preload_app: forked from a master that imported the app, a replaced
# worker starts at once, but every object it touches then (CPython writes
# reference counts) copies a shared page: 87-101 requests a second at full
# load against 104-108 without, the slowest 1 % no better
# (docs/performance.md).

# The heartbeat file in memory, not on the container's overlay file system
# (where a slow disk makes gunicorn think a worker hangs).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

accesslog = "-"
errorlog = "-"
