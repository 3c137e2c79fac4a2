# BaoVe production image: gunicorn for the web, the same image for the Celery worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production

# WeasyPrint needs Pango; Liberation Serif (metric-compatible with Times New Roman) carries every
# Vietnamese glyph for the administrative documents; gettext compiles the translations.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation fonts-dejavu-core gettext \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 10001 baove
WORKDIR /app

COPY pyproject.toml README.md ./
COPY config ./config
COPY agencies ./agencies
COPY cases ./cases
COPY plans ./plans
COPY reports ./reports
COPY notifications ./notifications
RUN pip install .

COPY . .
# Build-time values only, so that collectstatic can import the production settings.
RUN SECRET_KEY=build-only-not-secret-0123456789-0123456789-0123456789 \
    DATABASE_URL=sqlite:////tmp/build.sqlite3 ALLOWED_HOSTS=build \
    python manage.py collectstatic --noinput \
    && python manage.py compilemessages --ignore=.venv \
    && mkdir -p /app/var/media && chown -R baove:baove /app/var

USER baove
EXPOSE 8000
# The access log records paths without query strings: a search term can be a child's name.
# config.gunicorn: with PROMETHEUS_MULTIPROC_DIR set, a dead worker's metrics files are marked (config/metrics.py).
CMD ["gunicorn", "config.wsgi:application", "--config", "python:config.gunicorn", "--bind", "0.0.0.0:8000", \
     "--workers", "2", "--access-logfile", "-", \
     "--access-logformat", "%(h)s %(t)s \"%(m)s %(U)s\" %(s)s %(b)s %(L)s"]
