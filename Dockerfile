FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY workbench ./workbench
COPY annotations ./annotations
COPY manage.py gunicorn.conf.py ./
RUN pip install --no-cache-dir . && SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput
RUN useradd --create-home workbench && mkdir -p /app/media && chown workbench /app/media
USER workbench
EXPOSE 8000
