"""Tickets carry the shopper's language: a Spanish conversation (real turns through the demo
store) handed to a person shows "es" on the ticket in the agent API and the console, and the
shopper's words as they typed them."""
from __future__ import annotations

from assistant.handoff.policy import HandoffDecision
from assistant.web.agent_api import conversation_view
from assistant.web.agent_console import summary_markdown, ticket_rows
from tests.conftest import ask

TYPED = "¿Cuánto pesa la mochila Alpine 40 Pack? La necesito para el Camino de Santiago"


def test_a_ticket_records_the_language_the_shopper_wrote_in(manager):
    session = manager.new_session()
    ask(manager, session, TYPED)
    ask(manager, session, "Gracias. ¿Y cuánto tardan en enviarla a Sevilla?")
    state = manager.sessions.load_state(session)
    ticket = manager.takeover.start(session, HandoffDecision(True, "explicit_request", "shopper asked for a person",
                                                             "queue", "Te pasamos con el equipo."), state)
    assert ticket.language == "es" and ticket.to_dict()["language"] == "es"

    view = conversation_view(manager.takeover, session)
    assert view["ticket"]["language"] == "es"
    assert [m["content"] for m in view["transcript"] if m["role"] == "user"][0] == TYPED   # as typed
    assert view["ticket"]["summary"]["tried"][0]["question"] == TYPED
    assert "Spanish (es)" in summary_markdown(view)
    assert "Spanish (es)" in ticket_rows([ticket])[0]


def test_an_english_conversation_is_an_english_ticket(manager):
    session = manager.new_session()
    ask(manager, session, "How heavy is the Alpine 40 Pack?")
    ticket = manager.takeover.start(session, HandoffDecision(True, "explicit_request", "asked", "queue", "ok"),
                                    manager.sessions.load_state(session))
    assert ticket.language == "en"


def test_the_shopper_is_told_in_their_language_when_a_person_joins_and_leaves(manager):
    session = manager.new_session(locale="fr")
    ask(manager, session, "Bonjour, combien pèse le sac Alpine 40 Pack ?")
    takeover = manager.takeover
    takeover.start(session, HandoffDecision(True, "explicit_request", "asked", "queue", "ok"),
                   manager.sessions.load_state(session))
    takeover.agent_join(session, "Camille")
    takeover.hand_back(session, "Camille")
    notices = [e.data["text"] for e in manager.sessions.events(session) if e.type == "notice" and e.data.get("takeover")]
    store = manager.settings.store_name
    assert notices == [f"Camille, de {store}, a rejoint la conversation.",
                       "Vous êtes de nouveau avec l'assistant de la boutique : demandez-moi ce que vous voulez."]
