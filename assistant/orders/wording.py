"""What the order desk says: every reply of the deterministic order flows, in one place.

Replies name the order and what will happen, never a detail of an order the shopper has not
proven is theirs. A generative backend may rephrase these; it never decides what they say.

The sentences themselves live in the ``orders`` message catalog, one per language
(``prompts/messages/<lang>/orders.yaml``, which the store may edit); every function takes the
shopper's ``language`` ("en" when none) and the store's catalog folder (``directory``, the
packaged catalogs when None). Order numbers, item names, SKUs, tracking numbers and addresses
go into the sentences as the store wrote them; money and dates are written the language's way.
"""
from __future__ import annotations

import math
from datetime import datetime
from pathlib import Path
from typing import Any

from babel.dates import format_date

from assistant.answers.prices import money as local_money
from assistant.messages import DEFAULT_DIR, DEFAULT_LANGUAGE, babel_locale, language_code, own_message
from assistant.orders.model import Order, OrderItem, parse_time

# the action words the flows pass ("cancelled") -> the catalog's key for that action
_ACTION = {"cancelled": "cancel", "re-addressed": "change_address", "returned": "return", "exchanged": "exchange"}


def _template(key: str, language: str | None, directory: Path | None) -> str:
    """The shopper's language before English, the store's folder before the packaged one: a
    store catalog made before a sentence was added still gets that sentence, in its language."""
    folders = [directory, DEFAULT_DIR] if directory is not None else [DEFAULT_DIR]
    for lang in dict.fromkeys((language_code(language), DEFAULT_LANGUAGE)):
        for folder in folders:
            found = own_message(f"orders.{key}", lang, folder)
            if found is not None:
                return found
    raise KeyError(f"no message 'orders.{key}' in {DEFAULT_DIR / DEFAULT_LANGUAGE}")


def _say(key: str, language: str | None, directory: Path | None, **fields: Any) -> str:
    return _template(key, language, directory).format(**fields)


def _known(key: str, language: str | None, directory: Path | None) -> str | None:
    try:
        return _template(key, language, directory)
    except KeyError:
        return None


def _action(what: str) -> str:
    try:
        return _ACTION[what]
    except KeyError:
        raise ValueError(f"unknown order action word {what!r}; known: {', '.join(_ACTION)}") from None


def gap(language: str | None = "en", directory: Path | None = None) -> str:
    """What goes between two of the desk's sentences (a space; nothing in Chinese or Japanese)."""
    return _say("gap", language, directory)


def joined(*sentences: str, language: str | None = "en", directory: Path | None = None) -> str:
    return gap(language, directory).join(s for s in sentences if s)


def ask_yes(language: str | None = "en", directory: Path | None = None) -> str:
    return _say("ask_yes", language, directory)


def warranty(language: str | None = "en", directory: Path | None = None) -> str:
    return _say("warranty", language, directory)


def _channel(language: str | None, directory: Path | None) -> str:
    return _say("channel", language, directory)


def _spoken(language: str | None, directory: Path | None) -> str:
    """The language the desk's sentences come out in: the shopper's when an orders catalog says
    them in it, else English (whose money and dates then go with the English words)."""
    code = language_code(language)
    folders = [directory, DEFAULT_DIR] if directory is not None else [DEFAULT_DIR]
    return code if any(own_message("orders.ask_yes", code, f) is not None for f in folders) else DEFAULT_LANGUAGE


def _money(amount: float, currency: str = "USD", language: str | None = "en", directory: Path | None = None) -> str:
    if _spoken(language, directory) != DEFAULT_LANGUAGE:
        return local_money(amount, currency or "USD", language)
    return f"${amount:,.2f}" if currency == "USD" else f"{amount:,.2f} {currency}"


def _items(order: Order, language: str | None = "en", directory: Path | None = None) -> str:
    names = [_say("item_count", language, directory, quantity=i.quantity, name=i.name) if i.quantity > 1
             else i.name for i in order.items]
    return _say("list_sep", language, directory).join(names)


def _options(options: dict[str, str]) -> str:
    return ", ".join(f"{k} {v}" for k, v in options.items())


def _choices(in_stock: list[Any], language: str | None, directory: Path | None) -> str:
    return _say("choice_sep", language, directory).join(v.label() for v in in_stock[:8])


def _date(value: str | datetime | None, language: str | None = "en", directory: Path | None = None) -> str:
    moment = parse_time(value) if not isinstance(value, datetime) else value
    if not moment:
        return _say("date_unknown", language, directory)
    code = _spoken(language, directory)
    if code == DEFAULT_LANGUAGE:
        return f"{moment:%B} {moment.day}"
    try:
        return format_date(moment, format="long", locale=babel_locale(code))
    except (ValueError, LookupError):          # a language Babel has no locale for
        return moment.date().isoformat()


def status_name(status: str, language: str | None = "en", directory: Path | None = None) -> str:
    """The store's order status in the shopper's words; a status the catalog does not know is
    shown as the store wrote it."""
    return _known(f"state_{status.replace(' ', '_')}", language, directory) or status


def address_line(address: dict[str, str]) -> str:
    parts = [address.get(k) for k in ("address1", "address2", "city")]
    region = " ".join(p for p in (address.get("province"), address.get("zip")) if p)
    return ", ".join(p for p in [*parts, region] if p)


# -- who is asking --------------------------------------------------------------------------
def ask_order_and_proof(language: str | None = "en", directory: Path | None = None) -> str:
    return _say("ask_order_and_proof", language, directory)


def ask_proof(order_id: str, language: str | None = "en", directory: Path | None = None) -> str:
    return _say("ask_proof", language, directory, order_id=order_id)


def not_on_account(order_id: str, language: str | None = "en", directory: Path | None = None) -> str:
    return _say("not_on_account", language, directory, order_id=order_id)


def no_match(order_id: str, language: str | None = "en", directory: Path | None = None) -> str:
    return _say("no_match", language, directory, order_id=order_id)


def locked(seconds: float, language: str | None = "en", directory: Path | None = None) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return _say("locked", language, directory, minutes=minutes, channel=_channel(language, directory))


def thanks_proven(order_id: str, language: str | None = "en", directory: Path | None = None) -> str:
    return _say("thanks_proven", language, directory, order_id=order_id)


def no_orders(language: str | None = "en", directory: Path | None = None) -> str:
    return _say("no_orders", language, directory)


def which_order(orders: list[Order], language: str | None = "en", directory: Path | None = None) -> str:
    lines = _say("choice_sep", language, directory).join(
        _say("which_order_line", language, directory, order_id=o.id, items=_items(o, language, directory),
             status=status_name(o.status, language, directory)) for o in orders)
    return _say("which_order", language, directory, orders=lines)


def which_item(order: Order, language: str | None = "en", directory: Path | None = None) -> str:
    return _say("which_item", language, directory, order_id=order.id, items=_items(order, language, directory))


# -- status -----------------------------------------------------------------------------------
def status(order: Order, others: int = 0, language: str | None = "en", directory: Path | None = None) -> str:
    head = {"order_id": order.id, "items": _items(order, language, directory),
            "placed": _date(order.created_at, language, directory)}
    if order.status in ("pending", "processed", "shipped", "cancelled"):
        body = _say(f"status_{order.status}", language, directory, **head)
    elif order.status == "delivered":
        body = (_say("status_delivered_on", language, directory, delivered=_date(order.delivered_at, language,
                                                                                 directory), **head)
                if order.delivered_at else _say("status_delivered", language, directory, **head))
    else:
        kind = order.status.replace(" requested", "")
        request = _known(f"request_{kind.replace(' ', '_')}", language, directory) or kind
        body = _say("status_request_open", language, directory, request=request, **head)
    sentences = [body]
    for t in order.tracking:
        sentences.append(_say("tracking_link", language, directory, carrier=t.carrier, number=t.number, url=t.url)
                         if t.url else _say("tracking", language, directory, carrier=t.carrier, number=t.number))
    if others > 0:
        sentences.append(_say("other_orders", language, directory, others=others))
    return joined(*sentences, language=language, directory=directory)


# -- refusals and limits ------------------------------------------------------------------------
def not_offered(what: str, language: str | None = "en", directory: Path | None = None) -> str:
    return _say(f"not_offered_{_action(what)}", language, directory, channel=_channel(language, directory))


def too_late(order: Order, what: str, language: str | None = "en", directory: Path | None = None) -> str:
    if order.status == "cancelled":
        return _say("already_cancelled", language, directory, order_id=order.id)
    if order.dispatched:
        where = _say("where_shipped", language, directory)
    elif order.status == "processed":
        where = _say("where_packing", language, directory)
    else:
        where = _say("where_status", language, directory, status=status_name(order.status, language, directory))
    text = _say(f"too_late_{_action(what)}", language, directory, order_id=order.id, where=where)
    if what == "cancelled" and order.status == "shipped":
        text = joined(text, _say("return_once_arrived", language, directory), language=language, directory=directory)
    return text


def not_delivered(order: Order, what: str, language: str | None = "en", directory: Path | None = None) -> str:
    action = _action(what)
    if order.status == "cancelled":
        return _say(f"cancelled_nothing_to_{action}", language, directory, order_id=order.id)
    return _say(f"not_delivered_{action}", language, directory, order_id=order.id,
                status=status_name(order.status, language, directory))


def non_returnable(item: OrderItem, language: str | None = "en", directory: Path | None = None) -> str:
    return _say("non_returnable", language, directory, name=item.name)


def condition_refused(item: OrderItem, condition: str, language: str | None = "en",
                      directory: Path | None = None) -> str:
    return _say(f"condition_refused_{condition}", language, directory, name=item.name)


def window_closed(item: OrderItem, deadline: datetime, what: str = "returned", language: str | None = "en",
                  directory: Path | None = None) -> str:
    return _say(f"window_closed_{_action(what)}", language, directory, name=item.name,
                deadline=_date(deadline, language, directory))


def damage_late(item: OrderItem, days: int, language: str | None = "en", directory: Path | None = None) -> str:
    return _say("damage_late", language, directory, days=days, name=item.name)


def person_decides_return(item: OrderItem, language: str | None = "en", directory: Path | None = None) -> str:
    return _say("person_decides_return", language, directory, name=item.name)


def person_decides_vip(language: str | None = "en", directory: Path | None = None) -> str:
    return _say("person_decides_vip", language, directory)


def no_other_options(item: OrderItem, language: str | None = "en", directory: Path | None = None) -> str:
    return _say("no_other_options", language, directory, name=item.name)


# -- what is still missing --------------------------------------------------------------------
def ask_address(order: Order, language: str | None = "en", directory: Path | None = None) -> str:
    return _say("ask_address", language, directory, order_id=order.id)


def ask_condition(item: OrderItem, language: str | None = "en", directory: Path | None = None) -> str:
    return _say("ask_condition", language, directory, name=item.name)


def ask_photo(item: OrderItem, language: str | None = "en", directory: Path | None = None) -> str:
    return _say("ask_photo", language, directory, name=item.name)


def ask_option(item: OrderItem, in_stock: list[Any], language: str | None = "en",
               directory: Path | None = None) -> str:
    choices = _choices(in_stock, language, directory) or _say("none_in_stock", language, directory)
    return _say("ask_option", language, directory, current=_options(item.options) or item.name, choices=choices)


def no_such_option(item: OrderItem, wanted: dict[str, str], in_stock: list[Any], language: str | None = "en",
                   directory: Path | None = None) -> str:
    choices = _choices(in_stock, language, directory) or _say("none_in_stock", language, directory)
    return _say("no_such_option", language, directory, name=item.name, wanted=_options(wanted), choices=choices)


def out_of_stock(item: OrderItem, variant: Any, in_stock: list[Any], language: str | None = "en",
                 directory: Path | None = None) -> str:
    choices = _choices(in_stock, language, directory)
    offer = (_say("in_stock_instead", language, directory, choices=choices) if choices
             else _say("refund_instead", language, directory))
    return joined(_say("out_of_stock", language, directory, name=item.name, option=variant.label()), offer,
                  language=language, directory=directory)


# -- stating back and confirming ----------------------------------------------------------------
def confirm_cancel(order: Order, language: str | None = "en", directory: Path | None = None) -> str:
    return _say("confirm_cancel", language, directory, order_id=order.id, items=_items(order, language, directory),
                total=_money(order.total, order.currency, language, directory))


def confirm_address(order: Order, address: dict[str, str], language: str | None = "en",
                    directory: Path | None = None) -> str:
    return _say("confirm_address", language, directory, order_id=order.id, address=address_line(address))


def confirm_return(order: Order, item: OrderItem, condition: str, photos: list[str], language: str | None = "en",
                   directory: Path | None = None) -> str:
    kept = (_say("with_photo" if len(photos) == 1 else "with_photos", language, directory, count=len(photos))
            if photos else "")
    why = _say("why_damaged" if condition == "damaged" else "why_unused", language, directory)
    return _say("confirm_return", language, directory, name=item.name, order_id=order.id, why=why, photos=kept,
                refund=_money(item.price * item.quantity, order.currency, language, directory))


def confirm_exchange(order: Order, item: OrderItem, variant: Any, difference: float, language: str | None = "en",
                     directory: Path | None = None) -> str:
    text = _say("confirm_exchange", language, directory, name=item.name, options=_options(item.options),
                order_id=order.id, option=variant.label())
    if difference > 0:
        text = joined(text, _say("costs_more", language, directory, amount=_money(difference, order.currency,
                                                                                  language, directory)),
                      language=language, directory=directory)
    elif difference < 0:
        text = joined(text, _say("costs_less", language, directory, amount=_money(-difference, order.currency,
                                                                                  language, directory)),
                      language=language, directory=directory)
    return text


def yes_or_no(summary: str, language: str | None = "en", directory: Path | None = None) -> str:
    return joined(summary, ask_yes(language, directory), language=language, directory=directory)


def kept_as_is(order_id: str, language: str | None = "en", directory: Path | None = None) -> str:
    return _say("kept_as_is", language, directory, order_id=order_id)


def done(pending: Any, order: Order, language: str | None = "en", directory: Path | None = None) -> str:
    if pending.action == "change_address":
        return _say("done_change_address", language, directory, order_id=order.id,
                    address=address_line(order.shipping_address))
    action = pending.action if pending.action in ("cancel", "return") else "exchange"
    return _say(f"done_{action}", language, directory, order_id=order.id)


def already_done(order_id: str, status: str | None, language: str | None = "en",
                 directory: Path | None = None) -> str:
    if status:
        return _say("already_done_now", language, directory, order_id=order_id,
                    status=status_name(status, language, directory))
    return _say("already_done", language, directory, order_id=order_id)


def refused_by_system(order_id: str, language: str | None = "en", directory: Path | None = None) -> str:
    return _say("refused_by_system", language, directory, order_id=order_id)


def system_down(language: str | None = "en", directory: Path | None = None) -> str:
    return _say("system_down", language, directory, channel=_channel(language, directory))
