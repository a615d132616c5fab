"""Run the shop assistant: ``python app.py [--host H] [--port P]``.

One process serves everything on one port by default; ``--workers N`` runs N HTTP API processes
(FastAPI) on the port, with the shopper chat and the agent console (Gradio) in one more process on
port + 1.
The first start ingests the demo store (or the catalog configured with ASSISTANT_KNOWLEDGE_DIR).
"""
import argparse

from assistant.web.server import run

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=7860)
    parser.add_argument("--workers", type=int, default=None,
                        help="API processes (default 1: everything in one process on one port; "
                             "one per core for load)")
    parser.add_argument("--ui-port", type=int, default=None,
                        help="with several workers: the chat and agent console's port (default: port + 1)")
    args = parser.parse_args()
    run(host=args.host, port=args.port, workers=args.workers, ui_port=args.ui_port)
