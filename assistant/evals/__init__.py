"""Scripted eval runs against transcripts: the third front door, for stores to catch regressions.

A store writes conversations with expectations (evals/README.md documents the format), runs
``assistant eval evals/`` against the real pipeline, and reads a JSON and an HTML report; a
thresholds file turns the metrics into a CI gate.

    transcripts  the file format and loader (YAML, JSONL, session-store exports)
    scorers      one small object per expectation kind; ``register_scorer`` adds a store's own
    orders       order conversations: the customer, the orders fixture, end states (order_scorers)
    stores       one ingested knowledge base per knowledge source, cached between runs
    runner       conversations in fresh sessions, in parallel threads, through ConversationManager
    grounding    numbers / prices / sizes in an answer vs the evidence it cited
    metrics      pass rates, intent confusion, handoff P/R/F1, citation precision, latency
    gate         thresholds and run-to-run comparison
    report       JSON and self-contained HTML (charts in charts.py)
    judge        optional rubric judge for generative backends
    evaluate     the whole run for the CLI and tests
"""
from assistant.evals.evaluate import EvalOutcome, evaluate, summary
from assistant.evals.scorers import SCORERS, Check, Scorer, TurnObservation, register_scorer
from assistant.evals.transcripts import Conversation, UserTurn, load_suite

__all__ = ["SCORERS", "Check", "Conversation", "EvalOutcome", "Scorer", "TurnObservation", "UserTurn",
           "evaluate", "load_suite", "register_scorer", "summary"]
