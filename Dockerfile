# The production image: gunicorn web, Celery worker and beat all run from it.
FROM python:3.12-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    UV_COMPILE_BYTECODE=1 \
    PATH=/opt/venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=learnprofile.settings.production

RUN pip install --no-cache-dir uv==0.13.8 \
    && useradd --create-home --uid 1000 learnprofile

WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --locked --no-dev --no-install-project

COPY . .
# Translations and static files are built into the image; the throw-away keys exist only for
# these two commands (production settings refuse to import without strong, distinct ones).
RUN SECRET_KEY=$(python -c 'import secrets; print(secrets.token_urlsafe(48))') \
    NATIONAL_ID_HASH_KEY=$(python -c 'import secrets; print(secrets.token_urlsafe(48))') \
    CREDENTIAL_KEY_ENCRYPTION_KEY=$(python -c 'import secrets; print(secrets.token_urlsafe(48))') \
    DATABASE_URL=postgres://build@localhost/build REDIS_URL=redis://localhost:6379/0 \
    ALLOWED_HOSTS=localhost \
    sh -c "python manage.py compile_translations && python manage.py collectstatic --noinput -v 0" \
    && chown -R learnprofile /app/var

USER learnprofile
EXPOSE 8000
CMD ["gunicorn", "learnprofile.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
