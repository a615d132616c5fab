"""The ``assistant`` command: ingest, ask, serve. A contract stores script against.

Settings come from ``ASSISTANT_*`` environment variables (see assistant/settings.py).
"""
from __future__ import annotations

import json
import sys
import uuid
from pathlib import Path
from typing import Optional

import typer

from assistant.errors import AssistantError, InvalidInput

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Multimodal shop assistant.")


def _fail(exc: Exception) -> None:
    typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code=2)


@app.command()
def ingest(
    catalog: Optional[Path] = typer.Option(None, help="catalog file (native JSON, Shopify CSV, or with --mapping)"),
    docs: Optional[Path] = typer.Option(None, help="folder with faq.yaml and policies/*.md"),
    mapping: Optional[str] = typer.Option(None, help="field-mapping file or preset name (e.g. eshop)"),
    skip_invalid: bool = typer.Option(False, help="skip bad rows (reported) instead of stopping"),
    include_inactive: bool = typer.Option(False, help="also import draft/archived products"),
) -> None:
    """Load the catalog and documents into the knowledge store (incremental)."""
    from assistant.knowledge.service import Knowledge
    from assistant.settings import get_settings

    settings = get_settings()
    try:
        knowledge = Knowledge(settings)
        if catalog is None and mapping is None:
            report = knowledge.ingest(docs_dir=docs, progress=True)
        else:
            from assistant.importers import import_catalog

            source = catalog or settings.catalog_path
            result = import_catalog(source, mapping=mapping, skip_invalid=skip_invalid,
                                    include_inactive=include_inactive)
            typer.echo(result.summary())
            for line in [*result.notes, *(str(s) for s in result.skipped)]:
                typer.echo(f"  {line}")
            report = knowledge.ingest(result.products, str(source), docs or settings.docs_dir, progress=True)
    except AssistantError as exc:
        _fail(exc)
    typer.echo(str(report))


def _ask_one(manager, question: str, images: list[str], session: str, customer_id: str | None = None,
             locale: str | None = None) -> dict:
    from assistant.conversation import Turn
    from assistant.reply import Reply

    blobs = []
    for path in images:
        try:
            blobs.append(Path(path).read_bytes())
        except OSError as exc:
            raise InvalidInput(f"cannot read image {path}: {exc.strerror}", limit="image_path") from None
    reply = Reply.fold(manager.respond(session, Turn(text=question, images=blobs, customer_id=customer_id,
                                                             locale=locale)))
    result: dict = {"answer": reply.answer, "citations": reply.cited, "session": session}
    # the order the turn sends them in: the photo, the handoff, then the state
    if reply.perception:
        result["perception"] = reply.perception.perception
    if reply.handoff:
        result["handoff"] = reply.handoff.handoff
    if reply.cards:
        result["products"] = reply.cards
    if reply.next_questions:
        result["suggestions"] = reply.next_questions
    if reply.order_actions:
        result["order_actions"] = [a.fields for a in reply.order_actions]
    if reply.state:
        result["state"] = reply.state.state
    return result


def _ask_line(manager, line: str, line_no: int) -> dict:
    """One ``ask --json -`` line in, one result (or {"error", "line"}) out."""
    try:
        item = json.loads(line)
        if not isinstance(item, dict) or "question" not in item:
            raise ValueError("each line must be an object with a 'question'")
        images = item.get("images") or []
        images = [images] if isinstance(images, str) else [str(p) for p in images]
        customer, locale = item.get("customer_id"), item.get("locale")
        return _ask_one(manager, str(item["question"]), images, str(item.get("session") or uuid.uuid4().hex),
                        str(customer) if customer is not None else None, locale)
    except (ValueError, TypeError, AssistantError) as exc:
        return {"error": str(exc), "line": line_no}


@app.command()
def ask(
    question: str = typer.Argument(..., help="the question, or '-' with --json to read JSON lines from stdin"),
    json_mode: bool = typer.Option(False, "--json", help="JSON lines in and out"),
    image: list[Path] = typer.Option([], "--image", help="attach a photo (repeatable)"),
    session: Optional[str] = typer.Option(None, help="continue this session"),
    locale: Optional[str] = typer.Option(None, help="answer in this language (en, zh, es, de, fr, ja) "
                                                    "instead of the one detected"),
) -> None:
    """Ask the assistant; prints the answer (or one JSON object per line with --json)."""
    from assistant.conversation import ConversationManager
    from assistant.dialogue.language import normalise_locale
    from assistant.settings import get_settings

    try:
        normalise_locale(locale, "--locale")        # before the models load
        manager = ConversationManager(get_settings())
        manager.knowledge.ensure_ingested()
    except AssistantError as exc:
        _fail(exc)
    try:
        if json_mode and question == "-":
            for line_no, line in enumerate(sys.stdin, 1):
                if line.strip():
                    typer.echo(json.dumps(_ask_line(manager, line, line_no)))
            return
        try:
            result = _ask_one(manager, question, [str(p) for p in image], session or uuid.uuid4().hex,
                              locale=locale)
        except AssistantError as exc:
            _fail(exc)
    finally:
        manager.close()
    if json_mode:
        typer.echo(json.dumps(result))
        return
    typer.echo(result["answer"])
    for c in result["citations"]:
        typer.echo(f"  [{c.get('number')}] {c['title']} ({c['source_id']})")


@app.command()
def serve(host: str = "127.0.0.1", port: int = 7860,
          workers: Optional[int] = typer.Option(None, min=1, help="API processes (default 1: everything "
                                                "from one process on one port; one per core for load)"),
          ui_port: Optional[int] = typer.Option(None, help="with several workers: the port of the chat and "
                                                "agent console process (default: port + 1)")) -> None:
    """Run the app (chat UI and HTTP API)."""
    from assistant.web.server import run

    run(host=host, port=port, workers=workers, ui_port=ui_port)


@app.command("copy")
def copy_(
    product_id: str = typer.Argument(..., help="the catalog's product id, e.g. alpine-40-pack"),
    image: Optional[Path] = typer.Option(None, help="a photo to write from (default: the catalog's own)"),
    json_mode: bool = typer.Option(False, "--json", help="print {product_id, text, written_by, ...}"),
) -> None:
    """Write a product page description from its photo and specs (staff tool). The configured
    generative backend writes it; with the extractive backend, a labelled template draft."""
    from assistant.answers.product_copy import write_copy
    from assistant.backends.extractive import ExtractiveBackend
    from assistant.conversation import configured_backend
    from assistant.knowledge.service import Knowledge
    from assistant.settings import get_settings

    settings = get_settings()
    try:
        blob = None
        if image is not None:
            try:
                blob = image.read_bytes()
            except OSError as exc:
                raise InvalidInput(f"cannot read image {image}: {exc.strerror}", limit="image_path") from None
        knowledge = Knowledge(settings)
        backend = ExtractiveBackend() if settings.backend == "extractive" else configured_backend(settings)
        result = write_copy(knowledge.directory.get(product_id), backend, settings.store_name, blob,
                            settings.prompts_dir, product_id=product_id)
    except AssistantError as exc:
        _fail(exc)
    typer.echo(json.dumps(result.to_dict(), ensure_ascii=False) if json_mode else result.text)


@app.command("eval")
def eval_(
    paths: list[Path] = typer.Argument(..., help="transcript files or folders (YAML, JSONL, session exports)"),
    backend: Optional[str] = typer.Option(None, help="answer with this backend (default: the configured one)"),
    knowledge: Optional[Path] = typer.Option(None, exists=True, file_okay=False, resolve_path=True,
                                             help="default store's knowledge folder (catalog.json, faq.yaml, policies/)"),
    json_out: Path = typer.Option(Path("reports/eval.json"), "--json", help="write the JSON report here"),
    html_out: Path = typer.Option(Path("reports/eval.html"), "--html", help="write the HTML report here"),
    jobs: int = typer.Option(1, min=1, help="conversations run in parallel threads"),
    compare: Optional[Path] = typer.Option(None, help="an earlier JSON report to compare with"),
    gate: Optional[Path] = typer.Option(None, help="thresholds file; exit 1 when a metric is below its threshold"),
    tag: list[str] = typer.Option([], help="only conversations with this tag (repeatable)"),
    scorers: list[str] = typer.Option([], help="import this module to register extra scorers (repeatable)"),
    judge_backend: Optional[str] = typer.Option(None, "--judge", help="grade answers with this generative backend"),
    progress: bool = typer.Option(True, help="show a progress bar"),
) -> None:
    """Run scripted conversations through the assistant, score them and write JSON + HTML reports."""
    from assistant.evals.evaluate import evaluate, load_scorer_modules, summary
    from assistant.settings import get_settings

    overrides = {k: v for k, v in {"backend": backend,
                                    "knowledge_dir": knowledge.resolve() if knowledge else None}.items() if v is not None}
    try:
        load_scorer_modules(scorers)
        settings = get_settings().model_copy(update=overrides) if overrides else get_settings()
        outcome = evaluate(paths, settings, jobs=jobs, tags=tag, json_path=json_out, html_path=html_out,
                           compare_path=compare, gate_path=gate, judge_backend=judge_backend, progress=progress)
    except AssistantError as exc:
        _fail(exc)
    for line in summary(outcome):
        typer.echo(line)
    if not outcome.gate_passed:
        typer.secho("eval gate failed: a metric is below its threshold", fg=typer.colors.RED, err=True)
        raise typer.Exit(code=1)


# -- assistant helpdesk: webhooks that gave up, and sending them again --------------------------
helpdesk_app = typer.Typer(no_args_is_help=True, help="The helpdesk link: dead-lettered webhooks and redelivery.")
app.add_typer(helpdesk_app, name="helpdesk")


def _helpdesk():
    """The configured helpdesk over the configured session store, without a worker thread."""
    from assistant.handoff.helpdesk import Helpdesk
    from assistant.settings import get_settings
    from assistant.storage.sessions import SessionStore

    settings = get_settings()
    return Helpdesk(settings.helpdesk, SessionStore(settings.sessions_url), autostart=False)


@helpdesk_app.command("dead-letters")
def helpdesk_dead_letters(json_mode: bool = typer.Option(False, "--json", help="print a JSON array")) -> None:
    """List the webhooks that gave up (oldest first), with their attempts and last error."""
    try:
        helpdesk = _helpdesk()
        report = helpdesk.dead_letter_report()
        helpdesk.close()
    except AssistantError as exc:
        _fail(exc)
    if json_mode:
        typer.echo(json.dumps(report, default=str))
        return
    if not report:
        typer.echo("No dead letters.")
    for d in report:
        typer.echo(f"{d['id']}  {d['event']}  conversation {d['session_id']}  {d['attempts']} attempt(s), "
                   f"failed {d['failed_at']}  -> {d['url']}\n    {d['last_error']}")


@helpdesk_app.command("redeliver")
def helpdesk_redeliver(dead_letter_id: int = typer.Argument(..., help="the dead letter's id (see dead-letters)")) -> None:
    """Send a dead letter again now; exit 1 when it fails again (it stays queued or dead-lettered)."""
    try:
        helpdesk = _helpdesk()
        try:
            result = helpdesk.redeliver(dead_letter_id)
        finally:
            helpdesk.close()
    except AssistantError as exc:
        _fail(exc)
    if result["status"] == "delivered":
        typer.echo(f"Dead letter {dead_letter_id} delivered.")
        return
    where = ("back in the outbox; it is retried with backoff" if result["status"] == "pending"
             else "dead-lettered again")
    typer.secho(f"Dead letter {dead_letter_id} failed again ({result['last_error']}): {where}.",
                fg=typer.colors.YELLOW, err=True)
    raise typer.Exit(code=1)


# -- orders: the store's order system (assistant.orders) ------------------------------------
orders_app = typer.Typer(no_args_is_help=True, help="The store's orders: import, show.")
app.add_typer(orders_app, name="orders")


def _order_system():
    from assistant.orders import configured_order_system
    from assistant.settings import get_settings
    from assistant.storage.sessions import SessionStore

    settings = get_settings()
    return configured_order_system(settings, SessionStore(settings.sessions_url))


@orders_app.command("import")
def orders_import(file: Path = typer.Argument(..., help="orders JSON (format in docs/orders.md)")) -> None:
    """Load customers and orders into the local order system (same ids are replaced)."""
    from assistant.orders.local import import_orders
    from assistant.settings import get_settings
    from assistant.storage.sessions import SessionStore

    try:
        customers, orders = import_orders(file, SessionStore(get_settings().sessions_url))
    except AssistantError as exc:
        _fail(exc)
    typer.echo(f"imported {customers} customers and {orders} orders from {file}")


@orders_app.command("show")
def orders_show(order_id: str = typer.Argument(..., help="the store's order number, e.g. NW-482913"),
                json_mode: bool = typer.Option(False, "--json", help="the order as the connector returns it")) -> None:
    """Print one order."""
    try:
        order = _order_system().get_order(order_id)
    except AssistantError as exc:
        _fail(exc)
    if json_mode:
        typer.echo(json.dumps(order.to_dict(), indent=2))
        return
    typer.echo(f"{order.id}  {order.status}  {order.created_at}  customer {order.customer_id}  "
               f"{order.total:.2f} {order.currency}")
    for item in order.items:
        typer.echo(f"  {item.quantity} x {item.name} ({item.sku or item.product_id or '-'})  {item.price:.2f}")
    for t in order.tracking:
        typer.echo(f"  tracking: {t.carrier} {t.number}")


@orders_app.command("list")
def orders_list(customer: str = typer.Option(..., help="customer id"),
                json_mode: bool = typer.Option(False, "--json")) -> None:
    """A customer's orders, newest first."""
    try:
        orders = _order_system().orders_for(customer)
    except AssistantError as exc:
        _fail(exc)
    if json_mode:
        typer.echo(json.dumps([o.to_dict() for o in orders]))
        return
    for order in orders:
        typer.echo(f"{order.id}  {order.status}  {order.created_at}  {order.total:.2f} {order.currency}")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
