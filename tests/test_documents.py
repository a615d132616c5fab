"""Product documents: manuals and spec sheets (Markdown, HTML, a real PDF) read into sections and
spec facts, linked to their products, and spec questions answered from them with a citation.

The end-to-end test runs on the real .NET eShop catalog (../shared/data/eshop-catalog, whose feed has
a name, a price and a description only) with manuals written for three of its products.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from assistant.errors import CatalogError
from assistant.knowledge.catalog import Product
from assistant.knowledge.documents import find_documents, read_document
from assistant.knowledge.ingest import attach_documents, build_chunks, link_document


def write_pdf(path: Path, title: str, heading: str, rows: list[list[str]], lines: list[str],
              more: tuple[str, str] | None = None) -> Path:
    """A real PDF as a spec sheet is laid out: a title, a heading, a two-column table, text lines."""
    from reportlab.lib.pagesizes import letter
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table

    styles = getSampleStyleSheet()
    story = [Paragraph(title, styles["Title"]), Paragraph(heading, styles["Heading2"]), Table(rows)]
    story += [Paragraph(line, styles["Normal"]) for line in lines]
    if more:
        story += [Paragraph(more[0], styles["Heading2"]), Paragraph(more[1], styles["Normal"])]
    SimpleDocTemplate(str(path), pagesize=letter, title=title).build(story)
    return path


HEADLAMP_MD = """---
product: 54
---
# Headlamp user guide

Thank you for choosing this headlamp.

## Specifications

| Spec | Value |
|------|-------|
| Weight | 3.2 oz |
| Battery | 1800 mAh Li-ion |

- **Beam distance:** 120 m
**Water resistance**: IPX4

## Charging

Note: use the cable that came in the box.
Charge for 3 hours before first use.

## Storage

Burn time: 40 hours on low
Storage temperature: -10 to 40 °C
"""

HARNESS_HTML = """<!doctype html>
<html><head><title>Summit Pro Harness - spec sheet</title><style>td {padding: 4px}</style></head>
<body><h1>Summit Pro Harness</h1><p>What you need to know before your first climb.</p>
<h2>Technical data</h2>
<table><tr><th>Feature</th><th>Detail</th></tr><tr><td>Weight</td><td>380 g</td></tr>
<tr><td>Gear loops</td><td>4</td></tr><tr><td>Certification</td><td>EN 12277 type C</td></tr></table>
<h2>Fit</h2><ul><li><strong>Waist:</strong> 70-90 cm</li><li><strong>Leg loops:</strong> 50-60 cm</li></ul>
<h2>Inspection</h2><p>Check the webbing and buckles before every climb; retire the harness after a big fall.</p>
</body></html>"""


def test_markdown_spec_lines_and_tables_become_facts(tmp_path):
    path = tmp_path / "manuals" / "nebula-guide.md"
    path.parent.mkdir()
    path.write_text(HEADLAMP_MD)
    doc = read_document(path, tmp_path)
    assert (doc.doc_id, doc.title, doc.front_matter) == ("manuals/nebula-guide.md", "Headlamp user guide", {"product": 54})
    sections = {s.slug: s for s in doc.sections}
    assert list(sections) == ["overview", "specifications", "charging", "storage"]
    assert sections["specifications"].facts == {"weight": "3.2 oz", "battery": "1800 mAh Li-ion",
                                                "beam_distance": "120 m", "water_resistance": "IPX4"}
    assert sections["charging"].facts == {}              # a lone "Note: ..." line is prose, not a spec
    assert sections["storage"].facts == {"burn_time": "40 hours on low", "storage_temperature": "-10 to 40 °C"}
    assert doc.source_id(sections["specifications"]) == "doc/manuals/nebula-guide.md#specifications"


def test_an_html_spec_sheet_is_read_by_its_headings_and_table(tmp_path):
    path = tmp_path / "harness.html"
    path.write_text(HARNESS_HTML)
    doc = read_document(path, tmp_path)
    assert doc.title == "Summit Pro Harness - spec sheet"
    sections = {s.slug: s for s in doc.sections}
    assert sections["technical-data"].facts == {"weight": "380 g", "gear_loops": "4",
                                                "certification": "EN 12277 type C"}
    assert sections["fit"].facts == {"waist": "70-90 cm", "leg_loops": "50-60 cm"}
    assert "retire the harness" in sections["inspection"].text and not sections["inspection"].facts
    assert "padding" not in " ".join(s.text for s in doc.sections)     # no stylesheet in the text


def test_a_real_pdf_spec_sheet_gives_its_table_and_label_lines(tmp_path):
    path = write_pdf(tmp_path / "boots.pdf", "Wanderer Black Hiking Boots - Owner's Manual", "Specifications",
                     [["Weight", "15 lbs (6.8 kg)"], ["Upper", "Full-grain waterproof leather"], ["Sole", "Vibram rubber"]],
                     ["Waterproof rating: IPX6"], more=("Care", "Wipe clean with a damp cloth and let dry away from heat."))
    reader = PdfReader(str(path))                           # a PDF any reader opens
    assert len(reader.pages) == 1 and "15 lbs" in reader.pages[0].extract_text()
    doc = read_document(path, tmp_path)
    assert doc.title == "Wanderer Black Hiking Boots - Owner's Manual"
    sections = {s.slug: s for s in doc.sections}
    assert sections["specifications"].facts == {"weight": "15 lbs (6.8 kg)", "upper": "Full-grain waterproof leather",
                                                "sole": "Vibram rubber", "waterproof_rating": "IPX6"}
    assert "damp cloth" in sections["care"].text and not sections["care"].facts


def test_a_broken_pdf_or_front_matter_is_a_clear_error(tmp_path):
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4 this is not really a pdf")
    with pytest.raises(CatalogError, match="broken.pdf: cannot read the PDF"):
        read_document(tmp_path / "broken.pdf")
    (tmp_path / "bad.md").write_text("---\nproduct: [unclosed\n---\n# Title\n")
    with pytest.raises(CatalogError, match="bad.md: the front matter is not valid YAML"):
        read_document(tmp_path / "bad.md")


PRODUCTS = [
    Product(id="lamp-1", name="Linen Table Lamp", price=59.99, specs={"weight": "2.1 kg"}),
    Product(id="pole-a", name="Carbon Fiber Trekking Poles", price=89.0),
    Product(id="pole-b", name="Carbon Fiber Trekking Poles", price=99.0),
    Product(id="54", name="Nebula Pro Headlamp", price=59.99),
]


def _doc(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text)
    return read_document(path, tmp_path)


def test_documents_are_linked_by_front_matter_file_name_or_title(tmp_path):
    by_front = _doc(tmp_path, "guide.md", HEADLAMP_MD)
    by_file = _doc(tmp_path, "linen-table-lamp-care.md", "# Care guide\n\nDust weekly.\n")
    by_title = _doc(tmp_path, "sheet-7.md", "# Nebula Pro Headlamp quick start\n\nPress twice.\n")
    nobody = _doc(tmp_path, "unrelated.md", "# Our story\n\nFounded in 1999.\n")
    twice = _doc(tmp_path, "poles.md", "# Carbon Fiber Trekking Poles\n\n- **Weight:** 480 g\n")
    assert link_document(by_front, PRODUCTS)[0].id == "54"
    assert link_document(by_file, PRODUCTS)[0].id == "lamp-1"
    assert link_document(by_title, PRODUCTS)[0].id == "54"
    assert link_document(nobody, PRODUCTS)[0] is None
    product, why = link_document(twice, PRODUCTS)
    assert product is None and "pole-a, pole-b" in why and "product: <id>" in why
    wrong = _doc(tmp_path, "wrong.md", "---\nproduct: 999\n---\n# Manual\n")
    with pytest.raises(CatalogError, match="wrong.md: the front matter names product '999', which is not in the catalog"):
        link_document(wrong, PRODUCTS)


def test_document_facts_fill_the_specs_the_catalog_lacks_and_catalog_values_win(tmp_path):
    manual = _doc(tmp_path, "linen-table-lamp.md",
                  "# Lamp manual\n\n## Specifications\n\n- **Weight:** 5 lbs\n- **Bulb:** E26, 60 W max\n")
    linked = attach_documents(PRODUCTS, [manual])
    lamp = next(p for p in linked.products if p.id == "lamp-1")
    assert lamp.specs == {"weight": "2.1 kg", "bulb": "E26, 60 W max"}          # the catalog's weight stays
    assert lamp.spec_sources == {"bulb": "doc/linen-table-lamp.md#specifications"}
    assert PRODUCTS[0].specs == {"weight": "2.1 kg"}                             # the input is not changed


def test_a_docs_folder_yields_manual_chunks_and_reports_what_it_left_out(tmp_path):
    docs = tmp_path / "docs"
    (docs / "manuals").mkdir(parents=True)
    (docs / "policies").mkdir()
    (docs / "policies" / "returns.md").write_text("# Returns\n\n## Window\n\n30 days.\n")
    (docs / "README.md").write_text("# How to edit these files\n")
    (docs / "manuals" / "guide.md").write_text(HEADLAMP_MD)
    (docs / "manuals" / "story.md").write_text("# Our story\n\nFounded in 1999.\n")
    assert [p.name for p in find_documents(docs)] == ["guide.md", "story.md"]
    notes: list[str] = []
    chunks, n_docs = build_chunks(PRODUCTS, "catalog.json", docs, notes)
    manual = {c.id: c for c in chunks if c.metadata["kind"] == "manual"}
    spec = manual["doc/manuals/guide.md#specifications"]
    assert spec.metadata["product_id"] == "54" and spec.metadata["spec_keys"].startswith("weight,")
    assert spec.text.startswith("Nebula Pro Headlamp - Headlamp user guide: Specifications")
    assert notes == ["manuals/story.md: left out - no front matter 'product:', file name or title names a product"]
    assert n_docs == 2      # the policy section and the linked guide
    with pytest.raises(CatalogError, match="docs folder not found"):
        build_chunks(PRODUCTS, "catalog.json", tmp_path / "missing")


# --- end to end: the eShop catalog (name, price, description only) with manuals ---------------------

@pytest.fixture(scope="module")
def eshop_with_manuals(tmp_path_factory, shared_data):
    from assistant.conversation import ConversationManager
    from assistant.importers import load_products
    from assistant.knowledge.service import Knowledge
    from assistant.settings import Settings
    from assistant.storage.sessions import SessionStore

    catalog = shared_data / "eshop-catalog" / "catalog.json"
    if not catalog.is_file():
        pytest.skip(f"the eShop catalog is not present at {catalog}")
    root = tmp_path_factory.mktemp("eshop-manuals")
    manuals = root / "docs" / "manuals"
    manuals.mkdir(parents=True)
    write_pdf(manuals / "wanderer-black-hiking-boots.pdf", "Owner's Manual", "Specifications",
              [["Weight", "15 lbs (6.8 kg)"], ["Upper", "Full-grain waterproof leather"], ["Sole", "Vibram rubber"]],
              ["Shaft height: 6 in"], more=("Care", "Wipe clean with a damp cloth and let dry away from heat."))
    (manuals / "harness.html").write_text(HARNESS_HTML)
    (manuals / "guide.md").write_text(HEADLAMP_MD)
    settings = Settings(data_dir=root / "data")
    knowledge = Knowledge(settings)
    products = load_products(catalog, mapping="eshop")
    assert not any(p.specs for p in products)          # the feed itself has no specs
    report = knowledge.ingest(products, str(catalog), root / "docs", progress=False)
    manager = ConversationManager(settings, knowledge=knowledge, sessions=SessionStore(settings.sessions_url))
    return manager, report


@pytest.mark.parametrize("question, value, source", [
    ("What's the weight of the Wanderer Black Hiking Boots?", "15 lbs",
     "doc/manuals/wanderer-black-hiking-boots.pdf#specifications"),
    ("How heavy is the Summit Pro Harness?", "380 g", "doc/manuals/harness.html#technical-data"),
    ("How many gear loops does the Summit Pro Harness have?", "4", "doc/manuals/harness.html#technical-data"),
    ("what's the weight of the Nebula Pro Headlamp?", "3.2 oz", "doc/manuals/guide.md#specifications"),
    ("How far does the Nebula Pro Headlamp beam reach?", "120 m", "doc/manuals/guide.md#specifications"),
])
def test_spec_questions_on_the_eshop_catalog_are_answered_from_the_manuals(eshop_with_manuals, question, value, source):
    from tests.conftest import ask

    manager, report = eshop_with_manuals
    assert report.documents == 3 and not report.notes
    result = ask(manager, f"manual-{abs(hash(question))}", question)
    cited = [c["source_id"] for c in result["citations"]["citations"]]
    assert value in result["answer"] and cited[0] == source
    assert all(c.startswith("doc/manuals/") for c in cited)
    assert "by Daybird are $" not in result["answer"]          # not the product summary


def test_a_price_question_still_cites_the_catalog(eshop_with_manuals):
    from tests.conftest import ask

    manager, _ = eshop_with_manuals
    result = ask(manager, "manual-price", "How much are the Wanderer Black Hiking Boots?")
    assert "$109.99" in result["answer"]
    assert [c["source_id"] for c in result["citations"]["citations"]] == ["product/1"]
