"""gunicorn settings for Doodle Buddy (read automatically from the working directory).

One worker process holds one copy of every model and of TensorFlow (~0.7 GB RSS with Google's 45 decoders);
TensorFlow already uses every core for each sampling pass, so more processes mostly cost memory. Threads let a
worker answer cheap requests (classes, health) while one sampling pass runs.
"""

import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "1"))  # processes; each loads all models
threads = int(os.environ.get("DOODLE_THREADS", "4"))
worker_class = "gthread"
timeout = 120  # seconds; start-up loads and compiles the models
graceful_timeout = 30
accesslog = "-"  # logs to stdout/stderr for containers
errorlog = "-"
loglevel = os.environ.get("DOODLE_LOG_LEVEL", "info").lower()
