"""Mount a Gradio app (the shopper chat, the agent console) on the API's FastAPI app.

Gradio's queue looks for work every millisecond while it has none on Linux (every 10 ms for
progress updates): the two mounted queues woke the event loop up to ~2,200 times a second, 66 ms
of CPU a second on an idle server and as many task switches on the loop that serves the HTTP
API. Every 20 ms (and 100 ms for progress, Gradio's own values elsewhere) still starts a chat
event sooner than a person can notice.
"""
from __future__ import annotations

import logging

from fastapi import FastAPI

log = logging.getLogger(__name__)

IDLE_POLL_S = 0.02           # how often an idle queue looks for a new event
PROGRESS_POLL_S = 0.1        # how often it looks for progress to send


def calm_queue(blocks) -> None:
    """Set the queue's idle polling (private attributes: left alone, with a note, if a Gradio
    release renames them)."""
    queue = getattr(blocks, "_queue", None)
    names = ("sleep_when_free", "progress_update_sleep_when_free")
    if queue is None or not all(hasattr(queue, n) for n in names):
        log.info("this Gradio's queue has no idle polling to set; left as it is")
        return
    queue.sleep_when_free = IDLE_POLL_S
    queue.progress_update_sleep_when_free = PROGRESS_POLL_S


def mount(app: FastAPI, blocks, path: str, **options) -> FastAPI:
    """``gr.mount_gradio_app`` with a calm queue."""
    import gradio as gr

    mounted = gr.mount_gradio_app(app, blocks, path=path, **options)
    calm_queue(blocks)
    return mounted
