"""Online Boutique (Google's microservices demo shop) through the importers: the `online-boutique`
preset on the real ../shared/data/online-boutique/products.json, and the two things that shop
writes differently - google.type.Money prices and pictures as paths on its web server."""
import json

import pytest

from assistant.errors import CatalogError
from assistant.importers import load_products
from assistant.importers._common import local_image, parse_price


def test_money_objects_are_units_plus_nanos():
    assert parse_price({"currencyCode": "USD", "units": 19, "nanos": 990000000}) == pytest.approx(19.99)
    assert parse_price({"units": 5, "nanos": 0}) == 5.0
    assert parse_price({"units": "109", "nanos": "990000000"}) == pytest.approx(109.99)
    with pytest.raises(ValueError, match="cannot read a price"):
        parse_price({"units": 3, "nanos": 1_000_000_000})
    with pytest.raises(ValueError, match="cannot read a price"):
        parse_price({"units": -1, "nanos": 0})


def test_a_web_server_picture_path_is_found_by_its_file_name(tmp_path):
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "mug.jpg").write_bytes(b"\xff\xd8jpeg")
    assert local_image("/static/img/products/mug.jpg", tmp_path) == (tmp_path / "images" / "mug.jpg").resolve()
    assert local_image("/static/img/products/missing.jpg", tmp_path) is None


def record(id_, name, money, categories):
    """One product as the Online Boutique writes it."""
    return {"id": id_, "name": name, "description": f"A {name.lower()}.", "picture": f"/static/img/products/{id_}.jpg",
            "priceUsd": {"currencyCode": "USD", **money}, "categories": categories}


def test_a_list_item_is_named_by_its_position(tmp_path):
    catalog = tmp_path / "products.json"
    catalog.write_text(json.dumps({"products": [
        record("A1", "Mug", {"units": 8, "nanos": 990000000}, ["kitchen", "home"]),
        record("B2", "Jar", {"units": 5, "nanos": 490000000}, [])]}))
    products = {p.id: p for p in load_products(catalog, mapping="online-boutique", skip_invalid=True)}
    assert products["A1"].category == "kitchen" and products["A1"].tags == ["kitchen", "home"]
    assert products["B2"].category == "" and products["B2"].price == pytest.approx(5.49)


def test_a_money_object_that_is_not_a_price_is_named_with_its_record(tmp_path):
    catalog = tmp_path / "products.json"
    catalog.write_text(json.dumps({"products": [record("A1", "Mug", {"units": 8, "nanos": -5}, ["kitchen"])]}))
    with pytest.raises(CatalogError, match="price"):
        load_products(catalog, mapping="online-boutique")


def test_the_real_online_boutique_catalog_imports_with_its_photos(shared_data):
    source = shared_data / "online-boutique" / "products.json"
    raw = json.loads(source.read_text())["products"]
    products = {p.id: p for p in load_products(source, mapping="online-boutique")}
    assert len(products) == len(raw) == 9
    for item in raw:
        product = products[item["id"]]
        money = item["priceUsd"]
        assert product.name == item["name"] and product.description == item["description"]
        assert product.price == pytest.approx(money["units"] + money["nanos"] / 1e9)
        assert product.currency == money["currencyCode"]
        assert product.category == item["categories"][0] and product.tags == item["categories"]
        picture = source.parent / "images" / item["picture"].rsplit("/", 1)[-1]
        assert product.images == [str(picture.resolve())] and picture.is_file()
        assert not product.variants
