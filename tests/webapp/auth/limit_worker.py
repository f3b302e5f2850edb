"""One web server process for the shared-limit tests: `python limit_worker.py DB_URL LIMITS_URI`.

Prints the port it listens on, then serves until it is terminated. Two of these stand for two
gunicorn workers: separate processes, one database, one limit store (or none shared).
"""

from __future__ import annotations

import sys

from werkzeug.serving import make_server

from config import TestingConfig
from webapp import create_app


def main() -> None:
    database_url, limits_uri = sys.argv[1], sys.argv[2]
    config = TestingConfig(database_url)
    config.RATELIMIT_STORAGE_URI = limits_uri
    server = make_server("127.0.0.1", 0, create_app(config))
    print(server.port, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
