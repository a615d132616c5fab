"""Model backends by name: ``get_backend("extractive")``; an unknown name lists the known ones."""
from __future__ import annotations

from importlib import import_module
from typing import Any

from assistant.backends.base import AnswerRequest, BackendOptions, ModelBackend
from assistant.errors import UnknownBackend

# name -> "module:Class"; imported lazily so torch loads only when a model backend is chosen.
_REGISTRY: dict[str, str] = {
    "extractive": "assistant.backends.extractive:ExtractiveBackend",
    "fake": "assistant.backends.fake:FakeBackend",
    "openai": "assistant.backends.openai_backend:OpenAIBackend",
    "transformers": "assistant.backends.transformers_backend:TransformersBackend",
}


def register(name: str, target: str) -> None:
    _REGISTRY[name] = target


def backend_names() -> list[str]:
    return sorted(_REGISTRY)


def backend_class(name: str) -> type[ModelBackend]:
    if name not in _REGISTRY:
        raise UnknownBackend(f"unknown backend {name!r}; known backends: {', '.join(backend_names())}")
    module, _, cls = _REGISTRY[name].partition(":")
    return getattr(import_module(module), cls)


def get_backend(name: str, options: dict[str, Any] | None = None, **kwargs: Any) -> ModelBackend:
    return backend_class(name)(options, **kwargs)


__all__ = ["AnswerRequest", "BackendOptions", "ModelBackend", "backend_names", "get_backend", "register"]
