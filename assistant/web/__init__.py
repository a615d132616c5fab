"""Front doors over HTTP: the FastAPI app and the Gradio pages mounted into it."""
