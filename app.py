"""Run the shop assistant: ``python app.py [--host H] [--port P]``.

One process serves the shopper chat (Gradio) and the HTTP API (FastAPI). The first start
ingests the demo store (or the catalog configured with ASSISTANT_KNOWLEDGE_DIR).
"""
import argparse

from assistant.web.server import run

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=7860)
    args = parser.parse_args()
    run(host=args.host, port=args.port)
