"""Wait until the database in the app's settings answers, or give up after a timeout.

Run by docker/entrypoint.sh before the migrations, so a container started beside its database
does not fail while the database is still starting. The URL is the one the app itself uses
(`config.get_config()`, from DATABASE_URL); a SQLite file needs no waiting.

    python docker/wait_for_database.py --timeout 60

Exit status: 0 once the database answers; 1 when it has not answered within the timeout;
2 when the settings are unusable (the message says which).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

# Run as a script from anywhere: the project's own modules sit one folder up.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from config import get_config

RETRY_SECONDS = 1.0


def wait(url: str, timeout: float) -> bool:
    """True once `SELECT 1` succeeds on `url`; False if it has not within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    engine = sa.create_engine(url, connect_args={"connect_timeout": 3})
    where = make_url(url).render_as_string(hide_password=True)
    try:
        while True:
            try:
                with engine.connect() as connection:
                    connection.execute(sa.text("SELECT 1"))
                print(f"The database answers: {where}", file=sys.stderr)
                return True
            except SQLAlchemyError as error:
                if time.monotonic() + RETRY_SECONDS > deadline:
                    print(
                        f"The database did not answer within {timeout:g} s: {where}\n"
                        f"Last error: {str(error).splitlines()[0]}",
                        file=sys.stderr,
                    )
                    return False
                print(f"Waiting for the database at {where}…", file=sys.stderr)
                time.sleep(RETRY_SECONDS)
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds to wait (60)")
    args = parser.parse_args(argv)
    try:
        url = get_config().SQLALCHEMY_DATABASE_URI
    except RuntimeError as error:
        print(error, file=sys.stderr)
        return 2
    if url.startswith("sqlite"):
        return 0
    return 0 if wait(url, args.timeout) else 1


if __name__ == "__main__":
    sys.exit(main())
