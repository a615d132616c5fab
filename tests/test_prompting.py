"""The answer prompt: store rules, numbered evidence, photo notes, trimmed history, image parts."""
import re
from pathlib import Path

import pytest
from PIL import Image

from assistant.answers.citations import parse_citations
from assistant.knowledge.evidence import Evidence
from assistant.answers.prompting import (
    DEFAULT_PROMPTS_DIR, bind_images, build_messages, format_evidence, load_prompts, text_only,
)

EVIDENCE = [
    Evidence("product/summit-rain-jacket#specs", "Summit Rain Jacket", "Colours: black, navy. Sizes S-XL.", "specs"),
    Evidence("faq/returns-window", "Returns window", "Returns are free within 30 days of delivery.", "faq"),
]


def user_text(messages) -> str:
    return next(p["text"] for p in messages[-1]["content"] if p["type"] == "text")


def test_prompt_files_exist_in_the_prompts_folder():
    for name in ("system.txt", "answer.txt", "photo_notes.txt", "no_evidence.txt"):
        assert (DEFAULT_PROMPTS_DIR / name).is_file(), name


def test_system_message_sets_the_store_rules():
    system = build_messages("Does it come in blue?", EVIDENCE, [], "Northwind Outfitters")[0]
    assert system["role"] == "system" and isinstance(system["content"], str)
    text = system["content"]
    assert "Northwind Outfitters" in text
    assert "only from the numbered store information" in text
    assert re.search(r"\[2\]", text), "the model is shown how to cite"
    assert "do not know" in text and "human agent" in text


def test_evidence_is_numbered_with_titles_in_order_and_the_question_follows():
    messages = build_messages("Does the Summit come in blue?", EVIDENCE, [], "Northwind")
    text = user_text(messages)
    first = text.index("[1] Summit Rain Jacket (specs)\nColours: black, navy. Sizes S-XL.")
    second = text.index("[2] Returns window (faq)\nReturns are free within 30 days of delivery.")
    assert first < second < text.index("Does the Summit come in blue?")
    # the numbers the model sees are the numbers parse_citations maps back
    assert parse_citations("Only black and navy [1].", EVIDENCE).citations[0].source_id == EVIDENCE[0].source_id


def test_images_are_placeholders_before_the_text_in_the_current_user_message():
    messages = build_messages("What is wrong with this zipper?", EVIDENCE, [], "Northwind", n_images=2)
    parts = messages[-1]["content"]
    assert messages[-1]["role"] == "user"
    assert [p["type"] for p in parts] == ["image", "image", "text"]
    assert parts[0] == {"type": "image"}
    without = build_messages("Hi", EVIDENCE, [], "Northwind")
    assert [p["type"] for p in without[-1]["content"]] == ["text"]


def test_photo_notes_appear_only_when_there_are_some():
    messages = build_messages("Is this yours?", EVIDENCE, [], "Northwind",
                              perception_lines=["label text: TR-2041 Size 42", "  ", "looks like: Trail Runner 2"])
    text = user_text(messages)
    assert "What the shopper's photo shows" in text
    assert "- label text: TR-2041 Size 42\n- looks like: Trail Runner 2" in text
    assert "photo shows" not in user_text(build_messages("Is this yours?", EVIDENCE, [], "Northwind"))


def test_without_evidence_the_model_is_told_to_say_it_does_not_know():
    text = user_text(build_messages("Do you sell kayaks?", [], [], "Northwind"))
    assert "No store information was found" in text and "do not know" in text
    assert "[1]" not in text.split("Shopper's question")[0]


def test_history_keeps_the_last_turns_as_text_and_starts_with_the_shopper():
    history = []
    for n in range(1, 6):
        history += [{"role": "user", "content": f"question {n}"},
                    {"role": "assistant", "content": [{"type": "text", "text": f"answer {n}"}]}]
    messages = build_messages("question 6", EVIDENCE, history, "Northwind", max_history_turns=3)
    middle = messages[1:-1]
    assert [m["content"] for m in middle] == ["question 3", "answer 3", "question 4", "answer 4",
                                              "question 5", "answer 5"]
    assert [m["role"] for m in middle] == ["user", "assistant"] * 3
    # an odd cut never leaves an assistant message first; unknown roles and empty texts are skipped
    odd = build_messages("q", EVIDENCE, [{"role": "assistant", "content": "hello"}, {"role": "tool", "content": "x"},
                                        {"role": "user", "content": ""}, {"role": "user", "content": "hi"},
                                        {"role": "agent", "content": "A human here."},
                                        {"role": "system", "content": "Agent Ana joined."},
                                        {"role": "user", "content": "q"}], "Northwind")
    assert [(m["role"], m["content"]) for m in odd[1:-1]] == [("user", "hi"), ("assistant", "A human here.")]


def test_braces_and_long_texts_in_evidence_or_question_are_kept_verbatim_or_cut():
    evidence = [Evidence("faq/x", "Templates {title}", "Use {price} as is. " + "long " * 1000, "faq")]
    text = user_text(build_messages("What is {price}?", evidence, [], "Shop {name}"))
    assert "[1] Templates {title} (faq)" in text and "What is {price}?" in text
    assert len(format_evidence(evidence)) < 1700 and format_evidence(evidence).endswith("…")


def test_a_custom_prompts_folder_is_used(tmp_path: Path):
    for name in ("photo_notes.txt", "no_evidence.txt"):
        (tmp_path / name).write_text((DEFAULT_PROMPTS_DIR / name).read_text())
    (tmp_path / "system.txt").write_text("Du bist der Assistent von {store_name}.")
    (tmp_path / "answer.txt").write_text("Quellen:\n{evidence}\n{photo_notes}Frage: {question}")
    messages = build_messages("Gibt es das in Blau?", EVIDENCE, [], "Nordwind", prompts_dir=tmp_path)
    assert messages[0]["content"] == "Du bist der Assistent von Nordwind."
    assert user_text(messages).startswith("Quellen:\n[1] Summit Rain Jacket")
    load_prompts.cache_clear()
    with pytest.raises(FileNotFoundError, match="answer.txt"):
        (tmp_path / "answer.txt").unlink()
        build_messages("x", [], [], "S", prompts_dir=tmp_path)


def test_bind_images_fills_placeholders_in_order_and_never_loses_a_photo():
    red, blue, green = (Image.new("RGB", (4, 4), c) for c in ("red", "blue", "green"))
    messages = build_messages("Which one?", EVIDENCE, [], "Northwind", n_images=2)
    bound = bind_images(messages, [red, blue, green])
    parts = bound[-1]["content"]
    images = [p["image"] for p in parts if p["type"] == "image"]
    assert images == [green, red, blue]            # the extra photo goes first, the rest in order
    assert isinstance(bound[0]["content"], list)     # every content becomes a list of parts
    assert messages[-1]["content"][0] == {"type": "image"}, "the caller's messages are not modified"
    fewer = bind_images(messages, [red])
    assert [p["type"] for p in fewer[-1]["content"]] == ["image", "text"]
    flat = text_only(bound)
    assert all(isinstance(m["content"], str) for m in flat) and "Which one?" in flat[-1]["content"]
