"""The transcript format: YAML files, folders, errors that name the place, and the suite itself."""
from collections import Counter
from pathlib import Path

import pytest

from assistant.evals.transcripts import TranscriptError, load_suite
from assistant.settings import PROJECT_ROOT
from assistant.dialogue.state import INTENTS

EVALS = PROJECT_ROOT / "evals"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_file_defaults_tags_knowledge_and_photo_paths(tmp_path):
    write(tmp_path / "photos" / "label.png", "not really a png")
    write(tmp_path / "store" / "catalog.json", "[]")
    write(tmp_path / "suite.yaml", """
suite: demo
knowledge: store
tags: [policy]
conversations:
  - id: one
    tags: [returns]
    turns:
      - user: How long do I have to return shoes?
        expect: {contains: "30 days", handoff: false}
      - user: What is this?
        images: [photos/label.png]
  - id: two
    knowledge: demo
    turns: ["Hi"]
""")
    suite = load_suite([tmp_path])
    one, two = suite.conversations
    assert one.uid == "suite/one" and one.tags == ["policy", "returns"]
    assert one.knowledge.path == str((tmp_path / "store").resolve()) and one.knowledge.is_dir
    assert one.turns[0].expect == {"contains": ["30 days"], "handoff": False}
    assert one.turns[1].images == [str((tmp_path / "photos" / "label.png").resolve())] and one.turns[1].expect == {}
    assert two.knowledge is None and two.turns[0].text == "Hi"


@pytest.mark.parametrize("body, message", [
    ("- id: a\n  turns:\n    - user: hi\n      expect: {contain: [x]}\n", "conversation 'a'.*turn 1.*unknown expectation 'contain'"),
    ("- id: a\n  turns:\n    - user: hi\n      images: [nope.png]\n", "conversation 'a'.*image not found: nope.png"),
    ("- id: a\n  turn: []\n", "conversation 'a'.*unknown keys \\['turn'\\]"),
    ("- id: a\n  turns: [hi]\n- id: a\n  turns: [hi]\n", "id 'a' is used twice"),
    ("- turns: [hi]\n", "conversation #1 has no 'id'"),
])
def test_mistakes_stop_the_run_and_name_the_place(tmp_path, body, message):
    path = write(tmp_path / "bad.yaml", body)
    with pytest.raises(TranscriptError, match=message) as err:
        load_suite([path])
    assert str(path) in str(err.value)


def test_a_language_checks_every_turn_unless_the_turn_names_its_own(tmp_path):
    write(tmp_path / "es.yaml", """
language: es
conversations:
  - id: switch
    turns:
      - user: cuanto pesa la Alpine 40 Pack?
        expect: {contains: ["1.4 kg"]}
      - user: ok, and in English?
        expect: {language: en}
      - user: vale
        expect: {language: null, handoff: false}
  - id: french
    language: fr
    turns: ["bonjour"]
""")
    switch, french = load_suite([tmp_path]).conversations
    assert [t.expect for t in switch.turns] == [{"contains": ["1.4 kg"], "language": "es"}, {"language": "en"},
                                               {"handoff": False}]
    assert french.turns[0].expect == {"language": "fr"}
    write(tmp_path / "es.yaml", "- id: a\n  language: xx\n  turns: [hola]\n")
    with pytest.raises(TranscriptError, match="conversation 'a'.*turn 1.*language code"):
        load_suite([tmp_path])


def test_the_language_suites_cover_what_the_issue_asks():
    suite = load_suite([EVALS / "languages"])
    for language in ("zh", "es", "de", "fr"):
        convs = [c for c in suite.conversations if f"lang-{language}" in c.tags]
        assert len(convs) >= 25, language
        turns = [t for c in convs for t in c.turns]
        assert all(t.expect.get("language") in (language, "en") for t in turns), language
        assert sum(t.expect["language"] == "en" for t in turns) >= 2, language       # switches to / from English
        kinds = Counter(tag for t in turns for tag in t.tags)
        for kind in ("spec", "price", "variant", "policy", "follow_up", "topic_change", "handoff", "switch"):
            assert kinds[kind] >= 1, (language, kind)
        assert {True, False} <= {t.expect.get("handoff") for t in turns}, language
        assert sum(len(c.turns) > 1 for c in convs) >= 5, language


def test_a_conversation_may_fix_its_language_and_a_bad_one_names_the_place(tmp_path):
    write(tmp_path / "lang.yaml", "- {id: a, locale: zh-CN, turns: [hi]}\n- {id: b, turns: [hi]}\n")
    assert [c.locale for c in load_suite([tmp_path]).conversations] == ["zh", None]
    bad = write(tmp_path / "bad" / "lang.yaml", "- {id: c, locale: klingon, turns: [hi]}\n")
    with pytest.raises(TranscriptError, match="conversation 'c'.*'locale'"):
        load_suite([bad])


def test_a_folder_skips_yaml_that_is_not_a_transcript(tmp_path):
    write(tmp_path / "thresholds.yaml", "turn_pass_rate: 0.5\n")
    write(tmp_path / "a.yaml", "- id: a\n  turns: [hi]\n")
    suite = load_suite([tmp_path])
    assert [c.uid for c in suite.conversations] == ["a/a"]
    assert suite.ignored == [str(tmp_path / "thresholds.yaml")]


def test_tag_filter_keeps_conversations_with_any_tag(tmp_path):
    write(tmp_path / "a.yaml", "- {id: a, tags: [x], turns: [hi]}\n- {id: b, tags: [y], turns: [hi]}\n")
    assert [c.id for c in load_suite([tmp_path], tags=["y"]).conversations] == ["b"]


def test_the_shipped_suite_is_valid_and_covers_what_the_issue_asks():
    suite = load_suite([EVALS])
    convs = suite.conversations
    assert len(convs) >= 120
    assert suite.ignored == [str(EVALS / "thresholds.yaml")]
    expected_intents = {i for c in convs for t in c.turns for i in t.expect.get("intent", [])}
    assert expected_intents == set(INTENTS)
    tags = Counter(tag for c in convs for tag in c.tags)
    for tag in ("multi-turn", "photo", "handoff", "no-handoff", "out-of-scope", "injection", "catalog-import"):
        assert tags[tag] >= 2, tag
    turns = [t for c in convs for t in c.turns]
    assert sum(bool(t.images) for t in turns) >= 15
    assert {True, False} <= {t.expect.get("handoff") for t in turns}
    assert any(c.knowledge and c.knowledge.mapping == "eshop" for c in convs)
    assert all(Path(p).parent.name == "photos" for t in turns for p in t.images)
