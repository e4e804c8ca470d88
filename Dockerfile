# Production image: gunicorn serving the app, static files by whitenoise.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1

# WeasyPrint needs Pango and HarfBuzz (the PDF font itself ships in
# static/fonts); manage.py backup and restore need pg_dump and pg_restore.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
        postgresql-client \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY omsorg ./omsorg
COPY contacts ./contacts
COPY journal ./journal
COPY plans ./plans
COPY reports ./reports
COPY imports ./imports
COPY demo ./demo
COPY ops ./ops
COPY accounts ./accounts
RUN pip install .
COPY . .
RUN DJANGO_SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput \
    && useradd --system --home /app omsorg && chown -R omsorg /app
USER omsorg

EXPOSE 8000
# Workers, timeouts and logging: gunicorn.conf.py (read from /app).
CMD ["sh", "-c", "python manage.py migrate --noinput && exec gunicorn omsorg.wsgi:application"]
