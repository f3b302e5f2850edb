# Commonweal's production image: gunicorn serving the app as an unprivileged user.
# Build: docker build -t commonweal .   Run with compose.yaml (PostgreSQL and Redis beside it).

# --- GOV.UK Frontend's built assets, from npm (as `make assets` does) -------------------------
FROM node:20-bookworm-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
RUN mkdir static \
    && cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.css \
          node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js static/ \
    && cp -R node_modules/govuk-frontend/dist/govuk/assets/fonts \
             node_modules/govuk-frontend/dist/govuk/assets/images \
             node_modules/govuk-frontend/dist/govuk/assets/manifest.json static/

# --- the app ------------------------------------------------------------------------------
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    COMMONWEAL_ENV=production

# WeasyPrint (the PDF reports) needs Pango and HarfBuzz's subsetter; the reports' fonts are
# DejaVu Sans and Liberation Sans, found through fontconfig.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz0b \
        libharfbuzz-subset0 \
        fontconfig \
        fonts-dejavu-core \
        fonts-liberation2 \
        shared-mime-info \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 commonweal \
    && useradd --system --uid 10001 --gid commonweal --home-dir /app --shell /usr/sbin/nologin commonweal

WORKDIR /app

# The runtime dependencies only (pyproject.toml's list), at the versions constraints.txt pins.
COPY pyproject.toml constraints.txt ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
    && pip install --requirement /tmp/requirements.txt --constraint constraints.txt \
    && rm /tmp/requirements.txt

COPY config.py ./
COPY criteria ./criteria
COPY reports ./reports
COPY webapp ./webapp
COPY migrations ./migrations
COPY docker ./docker
COPY --from=assets /build/static ./webapp/static

# instance/ holds evidence uploads and issued reports (a volume in compose.yaml); the code
# stays read-only to the user the app runs as.
RUN mkdir -p /app/instance && chown commonweal:commonweal /app/instance
VOLUME ["/app/instance"]

USER commonweal:commonweal
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f\"http://127.0.0.1:{os.environ.get('PORT', '8000')}/healthz\", timeout=4)"]

ENTRYPOINT ["/app/docker/entrypoint.sh"]
