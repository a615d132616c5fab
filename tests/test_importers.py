"""Catalog importers: Shopify CSV, generic JSON/CSV through a mapping, presets, format detection.

Fixtures: tests/fixtures/shopify_products.csv (5 products, one a draft), tests/fixtures/generic_products.csv
with its mapping, and the real .NET eShop catalog in ../shared/data/eshop-catalog (skipped if absent).
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from assistant.knowledge.catalog import load_catalog
from assistant.errors import CatalogError
from assistant.importers import (
    CatalogImportError,
    detect_format,
    import_catalog,
    list_presets,
    load_products,
)
from assistant.importers._common import html_to_text, parse_price

DATA = Path(__file__).parent / "fixtures"
SHOPIFY_CSV = DATA / "shopify_products.csv"
SHOPIFY_SALE_CSV = DATA / "shopify_sale_products.csv"     # Shopify's full export header, sale prices
GENERIC_CSV = DATA / "generic_products.csv"
GENERIC_MAPPING = DATA / "generic_products.mapping.yaml"
ESHOP_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "eshop-catalog"


@pytest.fixture(scope="module")
def eshop_catalog() -> Path:
    path = ESHOP_DIR / "catalog.json"
    if not path.is_file():
        pytest.skip(f"the eShop catalog is not present at {ESHOP_DIR} (it is shared data beside the repo)")
    return path


def by_id(products):
    return {p.id: p for p in products}


# --- Shopify -------------------------------------------------------------------------------------

def test_shopify_export_is_detected_and_grouped_by_handle():
    assert detect_format(SHOPIFY_CSV) == "shopify"
    products = by_id(load_products(SHOPIFY_CSV))
    assert list(products) == ["trail-runner-jacket", "summit-beanie", "alpine-40-backpack", "enamel-camp-mug"]

    jacket = products["trail-runner-jacket"]
    assert (jacket.name, jacket.brand, jacket.category) == ("Trail Runner Jacket", "Northwind", "Jackets")
    assert [v.sku for v in jacket.variants] == ["TRJ-BLU-M", "TRJ-BLU-L", "TRJ-BLK-M", "TRJ-BLK-L"]
    assert jacket.option_values("color") == ["Blue", "Black"]
    assert jacket.option_values("size") == ["M", "L"]
    assert jacket.price == 129.0 and jacket.price_range() == (129.0, 134.0)
    assert jacket.tags == ["running", "waterproof", "outerwear"]
    assert jacket.specs["material"] == "Recycled nylon"          # from a metafield column
    assert jacket.specs["weight_grams"] == "320-340"
    assert [v.compare_at_price for v in jacket.variants] == [149.0] * 4     # the was-price, not a spec
    assert "compare_at_price" not in jacket.specs


def test_shopify_compare_at_price_is_the_was_price_and_only_when_dearer():
    assert detect_format(SHOPIFY_SALE_CSV) == "shopify"
    products = by_id(load_products(SHOPIFY_SALE_CSV))
    assert list(products) == ["linen-table-lamp", "merino-crew-sweater", "ceramic-pour-over-set", "walnut-cutting-board"]
    lamp = products["linen-table-lamp"]
    assert lamp.price == 59.99 and [v.compare_at_price for v in lamp.variants] == [75.0, 75.0]
    assert lamp.was_range() == (75.0, 75.0) and not lamp.specs.get("compare_at_price")
    assert lamp.specs["image_urls"][-1].endswith("linen-table-lamp-detail.jpg?v=1712000003")   # image-only row
    sweater = {v.sku: v for v in products["merino-crew-sweater"].variants}
    assert [sweater[s].compare_at_price for s in ("MCS-S-OAT", "MCS-M-OAT", "MCS-L-OAT")] == [120.0, 120.0, None]
    assert products["merino-crew-sweater"].was_range() is None      # L sells at full price
    pour_over = products["ceramic-pour-over-set"]                   # compare-at 38.00 under the 42.00 price
    assert pour_over.price == 42.0 and pour_over.variants[0].compare_at_price is None and pour_over.was_range() is None
    board = {v.sku: v.compare_at_price for v in products["walnut-cutting-board"].variants}
    assert board == {"WCB-S": None, "WCB-L": 80.0}                  # equal to the price is no sale


def test_mapping_reads_a_compare_at_price_column(tmp_path):
    path = tmp_path / "feed.csv"
    path.write_text("sku,title,price,was\nL-1,Linen Table Lamp,59.99,75.00\nM-1,Camp Mug,18.00,15.00\n"
                    "S-1,Camp Stool,12.00,\n", encoding="utf-8")
    mapping = {"fields": {"id": "sku", "name": "title", "price": "price", "compare_at_price": "was"}}
    lamp, mug, stool = load_products(path, mapping=mapping)
    assert (lamp.price, lamp.compare_at_price) == (59.99, 75.0)
    assert mug.compare_at_price is None and stool.compare_at_price is None
    bad = tmp_path / "bad.csv"
    bad.write_text("sku,title,price,was\nL-1,Lamp,59.99,soon\n", encoding="utf-8")
    with pytest.raises(CatalogImportError, match="field 'compare_at_price' \\(column 'was'\\): cannot read a price"):
        load_products(bad, mapping=mapping)


def test_shopify_inventory_becomes_stock():
    products = by_id(load_products(SHOPIFY_CSV))
    jacket = {v.sku: v for v in products["trail-runner-jacket"].variants}
    assert (jacket["TRJ-BLU-M"].stock, jacket["TRJ-BLU-M"].in_stock) == (7, True)
    assert (jacket["TRJ-BLK-M"].stock, jacket["TRJ-BLK-M"].in_stock) == (0, False)   # sold out, policy deny
    backpack = {v.options["capacity"]: v for v in products["alpine-40-backpack"].variants}
    assert backpack["50 L"].stock == 0 and backpack["50 L"].in_stock              # policy continue: back-order
    assert backpack["50 L"].price == 209.0
    mug = products["enamel-camp-mug"]
    assert all(v.in_stock and v.stock is None for v in mug.variants)            # inventory not tracked
    beanie = products["summit-beanie"]
    assert [(v.sku, v.options, v.stock) for v in beanie.variants] == [("SB-001", {}, 15)]  # "Default Title"


def test_shopify_html_body_becomes_readable_text():
    products = by_id(load_products(SHOPIFY_CSV))
    jacket = products["trail-runner-jacket"].description
    assert jacket == "A light waterproof shell for wet runs & windy ridges.\n- Taped seams\n- Packs into its own pocket"
    assert products["summit-beanie"].description == "Merino rib knit.\nOne size fits most."
    assert products["enamel-camp-mug"].description == "Steel mug with an enamel coat. Holds 350 ml."
    assert all("<" not in p.description for p in products.values())


def test_shopify_category_falls_back_to_the_taxonomy_leaf():
    mug = by_id(load_products(SHOPIFY_CSV))["enamel-camp-mug"]
    assert mug.category == "Mugs"
    assert mug.specs["product_category"].endswith("Drinkware > Mugs")


def test_shopify_drafts_are_skipped_unless_asked():
    result = import_catalog(SHOPIFY_CSV)
    assert "storm-parka-prototype" not in by_id(result.products)
    assert any("draft" in note for note in result.notes)
    everything = by_id(load_products(SHOPIFY_CSV, include_inactive=True))
    assert everything["storm-parka-prototype"].price == 399.0


def test_shopify_remote_images_are_recorded_not_used():
    jacket = by_id(load_products(SHOPIFY_CSV))["trail-runner-jacket"]
    assert jacket.images == []
    names = [url.split("/")[-1].split("?")[0] for url in jacket.specs["image_urls"]]
    assert names == ["trail-runner-jacket-blue.jpg", "trail-runner-jacket-black.jpg", "trail-runner-jacket-hood.jpg"]


def test_shopify_local_copies_of_images_are_used(tmp_path):
    shutil.copy(SHOPIFY_CSV, tmp_path / "export.csv")
    (tmp_path / "images").mkdir()
    for name in ("trail-runner-jacket-hood.jpg", "trail-runner-jacket-blue.jpg"):
        (tmp_path / "images" / name).write_bytes(b"\xff\xd8\xff")
    jacket = by_id(load_products(tmp_path / "export.csv"))["trail-runner-jacket"]
    assert jacket.images == [str((tmp_path / "images" / n).resolve())
                             for n in ("trail-runner-jacket-blue.jpg", "trail-runner-jacket-hood.jpg")]  # by position
    assert [u.split("/")[-1].split("?")[0] for u in jacket.specs["image_urls"]] == ["trail-runner-jacket-black.jpg"]


def test_shopify_bad_price_names_row_line_product_and_column(tmp_path):
    text = SHOPIFY_CSV.read_text(encoding="utf-8")
    # the jacket's first record spans lines 2-6 (multi-line HTML); its second variant is row 3, line 7
    bad = tmp_path / "export.csv"
    bad.write_text(text.replace("TRJ-BLU-L,340,shopify,3,deny,manual,129.00", "TRJ-BLU-L,340,shopify,3,deny,manual,abc"),
                   encoding="utf-8")
    with pytest.raises(CatalogError) as info:
        load_products(bad)
    message = str(info.value)
    assert message == (f"{bad}: row 3 (line 7), product 'trail-runner-jacket', field 'Variant Price':"
                       " cannot read a price from 'abc'")

    result = import_catalog(bad, skip_invalid=True)
    jacket = by_id(result.products)["trail-runner-jacket"]
    assert [v.sku for v in jacket.variants] == ["TRJ-BLU-M", "TRJ-BLK-M", "TRJ-BLK-L"]
    assert [(e.row, e.column) for e in result.skipped] == [(3, "Variant Price")]


# --- generic CSV / JSON through a mapping ------------------------------------------------------

def test_generic_csv_with_mapping_file():
    products = by_id(load_products(GENERIC_CSV, mapping=GENERIC_MAPPING))
    assert list(products) == ["EXP-4", "RDG-2", "FLC-1", "SOCK-3"]
    tent = products["EXP-4"]
    assert tent.price == 1299.0                                  # "$1,299.00"
    assert tent.category == "Tents"                              # category_map
    assert tent.description == "Four-season dome for four people."
    assert tent.specs == {"weight": "5.2 kg", "material": "Ripstop nylon"}   # specs: spec_ prefix
    assert not products["RDG-2"].in_stock                       # qty 0
    fleece = products["FLC-1"]                                   # three rows, one product
    assert [v.options for v in fleece.variants] == [
        {"colour": "Red", "size": "S"}, {"colour": "Red", "size": "M"}, {"colour": "Navy", "size": "L"}]
    assert [v.in_stock for v in fleece.variants] == [True, False, True]
    assert fleece.price_range() == (59.0, 62.0)
    assert fleece.brand == "Ridgeline" and fleece.specs["material"] == "Recycled polyester"


def test_image_template_keeps_only_files_that_exist(tmp_path):
    for name in ("generic_products.csv", "generic_products.mapping.yaml"):
        shutil.copy(DATA / name, tmp_path / name)
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "FLC-1.jpg").write_bytes(b"\xff\xd8\xff")
    result = import_catalog(tmp_path / "generic_products.csv", tmp_path / "generic_products.mapping.yaml")
    products = by_id(result.products)
    assert products["FLC-1"].images == [str((tmp_path / "images" / "FLC-1.jpg").resolve())]
    assert products["EXP-4"].images == []
    assert any("3 of 4 products have no local image" in note for note in result.notes)


def test_json_with_mapping_dict_nested_keys_and_european_prices(tmp_path):
    path = tmp_path / "feed.json"
    path.write_text(json.dumps({"data": {"items": [
        {"ref": 7, "label": "Camp Stool", "cost": {"amount": "12,50", "currency": "EUR"}, "group": "Furniture",
         "available": "https://schema.org/OutOfStock", "attrs": {"legs": 3}},
        {"ref": 8, "label": "Camp Table", "cost": {"amount": "1.299,00", "currency": "EUR"}, "group": "furniture",
         "available": "in stock"},
    ]}}), encoding="utf-8")
    mapping = {"fields": {"id": "ref", "name": "label", "price": "cost.amount", "currency": "cost.currency",
                          "category": "group", "in_stock": "available"},
               "specs": {"legs": "attrs.legs"}, "records": "data.items", "category_map": {"FURNITURE": "Camp furniture"}}
    stool, table = load_products(path, mapping=mapping)
    assert (stool.id, stool.price, stool.currency, stool.in_stock) == ("7", 12.5, "EUR", False)
    assert stool.specs == {"legs": 3}
    assert (table.price, table.in_stock, table.category) == (1299.0, True, "Camp furniture")


@pytest.mark.parametrize("text,expected", [
    ("$1,299.00", 1299.0), ("12,50", 12.5), ("1.299,00 €", 1299.0), ("EUR 7", 7.0), ("19.99", 19.99),
    ("CHF 1'299.50", 1299.5), ("1,299", 1299.0), (".99", 0.99), (42, 42.0),
])
def test_prices_as_shops_write_them(text, expected):
    assert parse_price(text) == expected


def test_decimal_comma_setting_reads_ambiguous_prices():
    assert parse_price("12,500", decimal_separator=",") == 12.5
    assert parse_price("1.299", decimal_separator=",") == 1299.0


def test_html_to_text_keeps_structure():
    assert html_to_text("<h2>Care</h2><ul><li>Wash cold</li><li>Line dry</li></ul>") == "Care\n- Wash cold\n- Line dry"


# --- errors a store operator sees --------------------------------------------------------------

def write_csv(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "products.csv"
    path.write_text("\n".join(["sku,title,cost,kind", *rows]) + "\n", encoding="utf-8")
    return path


MAPPING = {"fields": {"id": "sku", "name": "title", "price": "cost", "category": "kind"}}


def test_bad_price_names_file_row_and_field(tmp_path):
    path = write_csv(tmp_path, ["A1,Lantern,$30.00,Lights", "A2,Headlamp,twelve,Lights"])
    with pytest.raises(CatalogError) as info:
        load_products(path, mapping=MAPPING)
    assert str(info.value) == (f"{path}: row 3, field 'price' (column 'cost'): cannot read a price from 'twelve'")


def test_missing_required_value_names_row_and_field(tmp_path):
    path = write_csv(tmp_path, ["A1,Lantern,$30.00,Lights", "A2,,$12.00,Lights"])
    with pytest.raises(CatalogError, match=r"row 3, field 'name' \(column 'title'\): missing required value"):
        load_products(path, mapping=MAPPING)


def test_mapping_naming_a_missing_column_lists_the_files_columns(tmp_path):
    path = write_csv(tmp_path, ["A1,Lantern,$30.00,Lights"])
    mapping = {"fields": {"id": "sku", "name": "title", "price": "Price"}}
    with pytest.raises(CatalogError) as info:
        load_products(path, mapping=mapping)
    message = str(info.value)
    assert "fields.price -> 'Price'" in message and "cost, kind, sku, title" in message


def test_every_bad_row_is_reported_and_skip_invalid_keeps_the_rest(tmp_path):
    path = write_csv(tmp_path, ["A1,Lantern,$30.00,Lights", "A2,Headlamp,twelve,Lights", ",Tarp,$40,Shelter",
                                "A4,Stove,$55.50,Cooking"])
    with pytest.raises(CatalogImportError) as info:
        load_products(path, mapping=MAPPING)
    assert [(e.row, e.field) for e in info.value.errors] == [(3, "price"), (4, "id")]
    assert "2 rows could not be imported" in str(info.value)

    result = import_catalog(path, mapping={**MAPPING, "skip_invalid": True})
    assert [p.id for p in result.products] == ["A1", "A4"]
    assert [(e.row, e.field) for e in result.skipped] == [(3, "price"), (4, "id")]


def test_mapping_with_a_typo_is_refused_clearly(tmp_path):
    path = write_csv(tmp_path, ["A1,Lantern,$30.00,Lights"])
    with pytest.raises(CatalogError, match="invalid mapping: 'fields.titel'"):
        load_products(path, mapping={"fields": {"id": "sku", "titel": "title", "name": "title", "price": "cost"}})
    with pytest.raises(CatalogError, match=r"neither a mapping file nor a preset \(presets: eshop"):
        load_products(path, mapping="magento")


def test_unknown_csv_without_mapping_says_a_mapping_is_needed(tmp_path):
    path = write_csv(tmp_path, ["A1,Lantern,$30.00,Lights"])
    with pytest.raises(CatalogError) as info:
        load_products(path)
    message = str(info.value)
    assert "a mapping is needed" in message
    assert all(name in message for name in ("native", "shopify", "json", "csv", "eshop"))
    assert "sku, title, cost, kind" in message or "cost, kind, sku, title" in message


# --- native format and the eShop preset -------------------------------------------------------

def test_native_catalog_goes_to_load_catalog(tmp_path):
    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "a.jpg").write_bytes(b"\xff\xd8\xff")
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps([{"id": "alpine-40", "name": "Alpine 40", "price": 189.0, "images": ["img/a.jpg"],
                                 "variants": [{"sku": "A40-M", "options": {"Size": "M"}, "stock": 2}]}]))
    assert detect_format(path) == "native"
    assert load_products(path) == load_catalog(path)
    assert load_products(path)[0].images == [str((tmp_path / "img" / "a.jpg").resolve())]


def test_eshop_preset_imports_the_whole_catalog(eshop_catalog):
    source = json.loads(eshop_catalog.read_text(encoding="utf-8"))
    products = load_products(eshop_catalog, mapping="eshop")
    assert len(products) == len(source) == 101
    for product in products:
        assert len(product.images) == 1
        image = Path(product.images[0])
        assert image.is_file() and image.name == f"{product.id}.webp"
    assert {p.category for p in products} == {item["Type"] for item in source}
    found = by_id(products)
    for item in (source[0], source[50], source[-1]):
        product = found[str(item["Id"])]
        assert (product.name, product.brand, product.category, product.price) == (
            item["Name"], item["Brand"], item["Type"], item["Price"])


def test_eshop_catalog_without_mapping_suggests_the_preset(eshop_catalog):
    assert "eshop" in list_presets()
    with pytest.raises(CatalogError, match="try --mapping eshop"):
        load_products(eshop_catalog)


def test_semicolon_csv_grouped_by_parent_with_several_pictures_each(tmp_path):
    (tmp_path / "pics").mkdir()
    for name in ("P1-front.jpg", "P1-back.jpg", "P2-front.jpg"):
        (tmp_path / "pics" / name).write_bytes(b"\xff\xd8\xff")
    path = tmp_path / "export.csv"
    path.write_text("parent;item;Bezeichnung;Preis;Größe;Lager\n"
                    "P1;P1-38;Wanderschuh;89,90;38;2\n"
                    "P1;P1-39;;89,90;39;0\n"
                    "P2;P2-1;Regenhose;1.049,00;;ja\n", encoding="utf-8")
    mapping = {"group_by": "parent", "currency": "EUR", "images": "pics/{parent}-*.jpg",
               "fields": {"id": "item", "name": "Bezeichnung", "price": "Preis", "stock": "Lager"},
               "options": {"Size": "Größe"}}
    with pytest.raises(CatalogError, match=r"row 4, field 'stock' \(column 'Lager'\): expected a whole number, got 'ja'"):
        load_products(path, mapping=mapping)
    path.write_text(path.read_text(encoding="utf-8").replace(";ja", ";5"), encoding="utf-8")
    shoe, trousers = load_products(path, mapping=mapping)
    assert (shoe.id, shoe.name, shoe.price, shoe.currency) == ("P1", "Wanderschuh", 89.9, "EUR")
    assert [(v.sku, v.options, v.in_stock) for v in shoe.variants] == [
        ("P1-38", {"size": "38"}, True), ("P1-39", {"size": "39"}, False)]
    assert [Path(p).name for p in shoe.images] == ["P1-back.jpg", "P1-front.jpg"]
    assert trousers.price == 1049.0 and [Path(p).name for p in trousers.images] == ["P2-front.jpg"]
