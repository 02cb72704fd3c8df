"""The job worker's entry point: `huey_consumer worker.huey`.

The app comes from the factory, so the worker reads the same configuration as the site:
JOB_QUEUE_URL chooses the queue, and each package's tasks are bound to it.
"""

from app import create_app

app = create_app()
huey = app.extensions["jobs"].huey
