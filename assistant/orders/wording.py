"""What the order desk says: every reply of the deterministic order flows, in one place.

Replies name the order and what will happen, never a detail of an order the shopper has not
proven is theirs. A generative backend may rephrase these; it never decides what they say.
"""
from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from assistant.orders.model import Order, OrderItem, parse_time

ASK_YES = "Shall I go ahead? Please answer yes or no."
WARRANTY = "If it has a fault, our warranty covers it."
CHANNEL = "You can also reach our team through the Help Center contact form."


def _money(amount: float, currency: str = "USD") -> str:
    return f"${amount:,.2f}" if currency == "USD" else f"{amount:,.2f} {currency}"


def _items(order: Order) -> str:
    names = [f"{i.quantity} x {i.name}" if i.quantity > 1 else i.name for i in order.items]
    return ", ".join(names)


def _options(options: dict[str, str]) -> str:
    return ", ".join(f"{k} {v}" for k, v in options.items())


def _date(value: str | datetime | None) -> str:
    moment = parse_time(value) if not isinstance(value, datetime) else value
    return f"{moment:%B} {moment.day}" if moment else "recently"


def address_line(address: dict[str, str]) -> str:
    parts = [address.get(k) for k in ("address1", "address2", "city")]
    region = " ".join(p for p in (address.get("province"), address.get("zip")) if p)
    return ", ".join(p for p in [*parts, region] if p)


# -- who is asking --------------------------------------------------------------------------
def ask_order_and_proof() -> str:
    return ("I can help with that. What is your order number (it looks like NW-123456), and the email "
            "address or zip code the order was placed with?")


def ask_proof(order_id: str) -> str:
    return (f"To keep your order safe, please tell me the email address or the shipping zip code that "
            f"order {order_id} was placed with.")


def not_on_account(order_id: str) -> str:
    return (f"I can't find order {order_id} on your account. If you placed it as a guest, tell me the "
            "email address or zip code it was placed with.")


def no_match(order_id: str) -> str:
    return (f"Those details don't match order {order_id}. Please check the order number and the email "
            "address or zip code it was placed with.")


def locked(seconds: float) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return (f"For your security I can't check order details in this chat for the next {minutes} minutes "
            f"after several unsuccessful attempts. {CHANNEL}")


def thanks_proven(order_id: str) -> str:
    return f"Thank you, that matches order {order_id}."


def no_orders() -> str:
    return "I can't find any orders on your account yet. If you ordered as a guest, tell me the order number."


def which_order(orders: list[Order]) -> str:
    lines = "; ".join(f"{o.id} ({_items(o)}, {o.status})" for o in orders)
    return f"Which order do you mean? {lines}."


def which_item(order: Order) -> str:
    return f"Which item from order {order.id} is it: {_items(order)}?"


# -- status -----------------------------------------------------------------------------------
def status(order: Order, others: int = 0) -> str:
    head = f"Order {order.id} ({_items(order)}), placed on {_date(order.created_at)}, "
    if order.status == "pending":
        body = head + "is received and waiting to be packed. It leaves our warehouse within one business day."
    elif order.status == "processed":
        body = head + "is packed and leaves our warehouse today or on the next business day."
    elif order.status == "shipped":
        body = head + "has shipped."
    elif order.status == "delivered":
        body = head + f"was delivered on {_date(order.delivered_at)}." if order.delivered_at else head + "was delivered."
    elif order.status == "cancelled":
        body = head + "was cancelled."
    else:
        body = head + f"has a {order.status.replace(' requested', '')} request open with our team."
    for t in order.tracking:
        body += f" Tracking: {t.carrier} {t.number}" + (f" ({t.url})." if t.url else ".")
    if others > 0:
        body += f" That is your latest order; tell me the order number if you meant one of your {others} other orders."
    return body


# -- refusals and limits ------------------------------------------------------------------------
def not_offered(what: str) -> str:
    return f"Orders can't be {what} in this chat. {CHANNEL}"


def too_late(order: Order, what: str) -> str:
    if order.status == "cancelled":
        return f"Order {order.id} is already cancelled."
    after = (" Once it arrives you can return it within our return window." if what == "cancelled"
             and order.status == "shipped" else "")
    where = "has already shipped" if order.dispatched else (
        "is already being packed" if order.status == "processed" else f"is {order.status}")
    return f"Order {order.id} {where}, so it can no longer be {what}.{after}"


def not_delivered(order: Order, what: str) -> str:
    if order.status == "cancelled":
        return f"Order {order.id} was cancelled, so there is nothing to be {what}."
    return (f"Order {order.id} hasn't been delivered yet ({order.status}), so it can't be {what} yet. "
            "Once it arrives I can help with that.")


def non_returnable(item: OrderItem) -> str:
    return f"The {item.name} can't be returned under our returns policy; it is still covered by its warranty."


def condition_refused(item: OrderItem, condition: str) -> str:
    return (f"Returned items must be unused, with tags and packaging, so a {condition} {item.name} can't be "
            "returned. If it has a fault, our warranty covers it.")


def window_closed(item: OrderItem, deadline: datetime, what: str = "returned") -> str:
    return f"The {item.name} could be {what} until {_date(deadline)}; that window has closed."


def damage_late(item: OrderItem, days: int) -> str:
    return (f"Damage has to be reported within {days} days of delivery, so a person from our team will look "
            f"at the {item.name} as a warranty claim. I'm passing this on now.")


def person_decides_return(item: OrderItem) -> str:
    return f"A return of the {item.name} needs a person from our team to approve it. I'm passing this on now."


def person_decides_vip() -> str:
    return "A member of our team will take care of this for you personally. I'm passing this on now."


def no_other_options(item: OrderItem) -> str:
    return f"The {item.name} comes in only one version, so it can't be exchanged; you can return it instead."


# -- what is still missing --------------------------------------------------------------------
def ask_address(order: Order) -> str:
    return (f"What is the new shipping address for order {order.id}? Please write it on one line, "
            "e.g. 12 Elm Road, Boston, MA 02118.")


def ask_condition(item: OrderItem) -> str:
    return f"Is the {item.name} unused with its tags and packaging, or did it arrive damaged or faulty?"


def ask_photo(item: OrderItem) -> str:
    return (f"I'm sorry it arrived damaged. Please send a photo of the {item.name} showing the damage "
            "(and of the box if it was damaged in transit); I'll keep it with your return request.")


def ask_option(item: OrderItem, in_stock: list[Any]) -> str:
    choices = "; ".join(v.label() for v in in_stock[:8]) or "none right now"
    return f"Which option would you like instead of {_options(item.options) or item.name}? In stock: {choices}."


def no_such_option(item: OrderItem, wanted: dict[str, str], in_stock: list[Any]) -> str:
    choices = "; ".join(v.label() for v in in_stock[:8]) or "none right now"
    return f"The {item.name} doesn't come as {_options(wanted)}. In stock: {choices}."


def out_of_stock(item: OrderItem, variant: Any, in_stock: list[Any]) -> str:
    choices = "; ".join(v.label() for v in in_stock[:8])
    offer = f" In stock: {choices}." if choices else " You can return it for a refund instead."
    return f"The {item.name} in {variant.label()} is out of stock right now.{offer}"


# -- stating back and confirming ----------------------------------------------------------------
def confirm_cancel(order: Order) -> str:
    return (f"To confirm: cancel order {order.id} ({_items(order)}, {_money(order.total, order.currency)}). "
            "The refund goes to your original payment method.")


def confirm_address(order: Order, address: dict[str, str]) -> str:
    return f"To confirm: ship order {order.id} to {address_line(address)} instead."


def confirm_return(order: Order, item: OrderItem, condition: str, photos: list[str]) -> str:
    kept = f" with your {len(photos)} photo{'s' if len(photos) != 1 else ''}" if photos else ""
    why = "damaged on arrival" if condition == "damaged" else "unused"
    return (f"To confirm: start a return of the {item.name} from order {order.id} ({why}){kept}, "
            f"for a refund of {_money(item.price * item.quantity, order.currency)} once it is checked.")


def confirm_exchange(order: Order, item: OrderItem, variant: Any, difference: float) -> str:
    money = ""
    if difference > 0:
        money = f" The new option costs {_money(difference, order.currency)} more, which we charge."
    elif difference < 0:
        money = f" The new option costs {_money(-difference, order.currency)} less, which we refund."
    return (f"To confirm: exchange the {item.name} ({_options(item.options)}) from order {order.id} for "
            f"{variant.label()}.{money}")


def yes_or_no(summary: str) -> str:
    return f"{summary} {ASK_YES}"


def kept_as_is(order_id: str) -> str:
    return f"Okay, I haven't changed anything; order {order_id} stays as it is."


def done(pending: Any, order: Order) -> str:
    if pending.action == "cancel":
        return f"Done: order {order.id} is cancelled. The refund goes to your original payment method."
    if pending.action == "change_address":
        return f"Done: order {order.id} will ship to {address_line(order.shipping_address)}."
    if pending.action == "return":
        return (f"Done: your return for order {order.id} is requested. We'll email a prepaid label; the refund "
                "follows once we have checked the item.")
    return (f"Done: your exchange for order {order.id} is requested. We ship the new option as soon as the "
            "carrier scans your return.")


def already_done(order_id: str, status: str | None) -> str:
    now = f"; it is now {status}" if status else ""
    return f"That request for order {order_id} was already made{now}. Nothing was done twice."


def refused_by_system(order_id: str) -> str:
    return f"I couldn't make that change: order {order_id} has changed in the meantime. Nothing was changed."


def system_down() -> str:
    return f"Our order system isn't answering right now, so nothing was changed. Please try again in a moment. {CHANNEL}"
