"""The mounted Gradio apps poll their queues at a pace an idle server can afford."""
from __future__ import annotations

import gradio as gr
from fastapi import FastAPI

from assistant.web.gradio_mount import IDLE_POLL_S, PROGRESS_POLL_S, mount


def test_a_mounted_chat_looks_for_work_every_20_ms_not_every_millisecond():
    # Gradio's own pace on Linux is 1 ms (1,000 wake-ups a second per mounted app, on the loop
    # the HTTP API runs on); a Gradio release that renames the settings fails here, not silently
    with gr.Blocks() as blocks:
        gr.Textbox()
    mount(FastAPI(), blocks, path="/")
    assert blocks._queue.sleep_when_free == IDLE_POLL_S == 0.02
    assert blocks._queue.progress_update_sleep_when_free == PROGRESS_POLL_S
