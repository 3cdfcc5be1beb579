# Doodle Buddy's production image:  docker build -t doodle-buddy . && docker run -p 8000:8000 doodle-buddy
# GPU variant:  docker build --build-arg TENSORFLOW_EXTRA=and-cuda -t doodle-buddy:gpu .  &&  docker run --gpus all ...
ARG BASE_IMAGE=python:3.11-slim
FROM ${BASE_IMAGE}

# "and-cuda" installs TensorFlow's CUDA build (tensorflow[and-cuda]); empty = the CPU build from requirements.lock
ARG TENSORFLOW_EXTRA=""
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    PORT=8000 \
    TF_CPP_MIN_LOG_LEVEL=2

# The requirements layer first, so code changes do not reinstall TensorFlow.
RUN python -m venv /opt/venv
COPY requirements.lock /tmp/requirements.lock
RUN pip install --no-cache-dir -r /tmp/requirements.lock \
 && if [ -n "$TENSORFLOW_EXTRA" ]; then \
      pip install --no-cache-dir "tensorflow[$TENSORFLOW_EXTRA]==$(grep -i '^tensorflow==' /tmp/requirements.lock | cut -d= -f3)"; \
    fi \
 && rm /tmp/requirements.lock

RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin doodle
WORKDIR /srv/doodle-buddy
COPY app/ app/
COPY templates/ templates/
COPY static/ static/
COPY models/ models/
# Flask's instance folder holds the embedded SQLite database: keep it on a volume so upgrades keep classrooms.
RUN mkdir -p instance && chown doodle:doodle instance
VOLUME /srv/doodle-buddy/instance

USER doodle
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=180s --retries=3 \
  CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'), timeout=4)"
CMD ["python", "-m", "app"]
