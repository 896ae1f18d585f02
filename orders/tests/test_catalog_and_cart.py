import pytest
from django.urls import reverse

from orders.models import Order, Product
from orders.tests.factories import ProductFactory

PRODUCTS = reverse("orders:products")
CART = reverse("orders:cart")


def add(client, product, follow=False, **data):
    return client.post(reverse("orders:cart_add", args=[product.slug]), data, follow=follow)


def test_the_shop_lists_active_products_with_prices(client, resume, software):
    ProductFactory(name="Retired package", active=False)

    html = client.get(PRODUCTS).content.decode()

    assert "Resume: Essentials" in html
    assert "$99.00" in html
    assert "$49.00" in html
    assert "Retired package" not in html


def test_a_bundle_lists_what_it_includes(client, resume, software):
    bundle = ProductFactory(kind=Product.Kind.BUNDLE, name="Starter bundle", slug="starter")
    bundle.components.set([resume, software])

    html = client.get(reverse("orders:product", args=["starter"])).content.decode()

    assert "Included" in html
    assert "Resume: Essentials" in html
    assert "Career planner" in html


@pytest.mark.django_db
def test_an_inactive_product_page_is_not_found(client):
    ProductFactory(slug="gone", active=False)

    assert client.get(reverse("orders:product", args=["gone"])).status_code == 404


def test_only_software_asks_for_the_type_of_computer(client, resume, software):
    resume_page = client.get(reverse("orders:product", args=[resume.slug])).content.decode()
    software_page = client.get(reverse("orders:product", args=[software.slug])).content.decode()

    assert 'name="computer_type"' not in resume_page
    assert 'name="computer_type"' in software_page
    assert "We ask this only for the software." in software_page


def test_software_in_a_bundle_within_a_bundle_asks_for_the_type_of_computer(
    client, resume, software
):
    # Made before the admin refused bundles within bundles.
    starter = ProductFactory(kind=Product.Kind.BUNDLE, slug="starter")
    starter.components.set([resume, software])
    kit = ProductFactory(kind=Product.Kind.BUNDLE, slug="career-kit")
    kit.components.set([starter])

    html = client.get(reverse("orders:product", args=[kit.slug])).content.decode()

    assert 'name="computer_type"' in html


def test_software_needs_its_computer_type_before_it_goes_in_the_cart(client, software):
    response = add(client, software)

    assert response.status_code == 200
    assert 'id="id_computer_type_error"' in response.content.decode()
    assert client.session.get("cart") is None


def test_adding_and_removing_products(client, resume, software):
    add(client, resume)
    add(client, software, computer_type="mac")
    add(client, resume)

    html = client.get(CART).content.decode()
    assert client.session["cart"] == [
        {"product": software.pk, "computer_type": "mac"},
        {"product": resume.pk, "computer_type": ""},
    ]
    assert "For: Mac" in html
    assert "$148.00" in html
    assert "Cart (2)" in html

    client.post(reverse("orders:cart_remove", args=[software.pk]))

    assert client.session["cart"] == [{"product": resume.pk, "computer_type": ""}]


def test_a_product_withdrawn_after_it_was_added_drops_out_of_the_cart(client, resume, software):
    add(client, resume)
    add(client, software, computer_type="windows")
    Product.objects.filter(pk=software.pk).update(active=False)

    html = client.get(CART).content.decode()

    assert f'href="/shop/{software.slug}/"' not in html
    assert f'href="/shop/{resume.slug}/"' in html
    assert "$99.00" in html


def test_products_in_another_currency_are_refused(client, resume):
    euro = ProductFactory(slug="euro", currency="EUR")
    add(client, resume)

    response = add(client, euro, follow=True)

    assert "different currencies" in response.content.decode()
    assert [item["product"] for item in client.session["cart"]] == [resume.pk]


def test_a_withdrawn_product_left_in_the_cart_does_not_refuse_another_currency(client, resume):
    euro = ProductFactory(slug="euro", currency="EUR")
    add(client, euro)
    Product.objects.filter(pk=euro.pk).update(active=False)

    response = add(client, resume, follow=True)

    assert "different currencies" not in response.content.decode()
    assert [line.product for line in response.context["lines"]] == [resume]
    assert [item["product"] for item in client.session["cart"]] == [resume.pk]


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 50])
def test_product_list_query_count_is_constant(client, django_assert_num_queries, count):
    ProductFactory.create_batch(count)
    client.get(reverse("home"))  # Warm the per-host partner cache, as on a running site.

    # products, bundle components
    with django_assert_num_queries(2):
        response = client.get(PRODUCTS)
    assert response.content.decode().count('class="card product-card"') == count
    # Then from the cache, until the catalog changes.
    with django_assert_num_queries(0):
        response = client.get(PRODUCTS)
    assert response.content.decode().count('class="card product-card"') == count


@pytest.mark.django_db
def test_a_product_page_comes_from_the_cache_until_the_product_changes(
    client, django_assert_num_queries, django_capture_on_commit_callbacks
):
    product = ProductFactory(name="Interview coaching", slug="coaching")
    page = reverse("orders:product", args=["coaching"])
    client.get(page)

    with django_assert_num_queries(0):
        cached = client.get(page).content.decode()
    assert "<h1>Interview coaching</h1>" in cached
    assert '<form method="post" action="/cart/add/coaching/"' in cached

    with django_capture_on_commit_callbacks(execute=True):
        product.name = "Interview coaching, two sessions"
        product.save()
    assert "Interview coaching, two sessions" in client.get(page).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        product.active = False
        product.save()
    assert client.get(page).status_code == 404


@pytest.mark.django_db
def test_catalog_changes_show_at_once(client, django_capture_on_commit_callbacks):
    resume = ProductFactory(name="Resume: Essentials")
    bundle = ProductFactory(kind=Product.Kind.BUNDLE, name="Starter bundle", slug="starter")
    client.get(PRODUCTS)
    client.get(reverse("orders:product", args=["starter"]))

    with django_capture_on_commit_callbacks(execute=True):
        bundle.components.add(resume)
        ProductFactory(name="Salary negotiation guide")

    assert "Includes: Resume: Essentials" in client.get(PRODUCTS).content.decode()
    assert "Salary negotiation guide" in client.get(PRODUCTS).content.decode()
    detail = client.get(reverse("orders:product", args=["starter"])).content.decode()
    assert "Resume: Essentials</a>" in detail

    with django_capture_on_commit_callbacks(execute=True):
        resume.delete()
    assert "Resume: Essentials" not in client.get(PRODUCTS).content.decode()


@pytest.mark.django_db
def test_a_deleted_or_renamed_product_page_is_gone_at_once(client):
    kept = ProductFactory(slug="kept")
    deleted = ProductFactory(slug="deleted")
    for slug in ("kept", "deleted"):
        assert client.get(reverse("orders:product", args=[slug])).status_code == 200

    deleted.delete()
    kept.slug = "renamed"
    kept.save()

    assert client.get(reverse("orders:product", args=["deleted"])).status_code == 404
    assert client.get(reverse("orders:product", args=["kept"])).status_code == 404
    assert client.get(reverse("orders:product", args=["renamed"])).status_code == 200


@pytest.mark.django_db
def test_a_cart_whose_prices_changed_currency_cannot_be_checked_out_and_says_why(client):
    euro = ProductFactory(currency="EUR")
    dollar = ProductFactory(currency="EUR")
    for product in (euro, dollar):
        client.post(reverse("orders:cart_add", args=[product.slug]))
    Product.objects.filter(pk=dollar.pk).update(currency="USD")

    response = client.post(
        reverse("orders:checkout"),
        {"name": "Gina", "email": "gina@example.com", "age_confirmed": "on"},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == CART
    assert "priced in different currencies" in response.content.decode()
    assert not Order.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 50])
def test_cart_query_count_is_constant(client, django_assert_num_queries, count):
    products = ProductFactory.create_batch(count)
    session = client.session
    session["cart"] = [{"product": product.pk, "computer_type": ""} for product in products]
    session.save()
    client.get(CART)

    # session, products, bundle components
    with django_assert_num_queries(3):
        response = client.get(CART)
    assert response.content.decode().count("/cart/remove/") == count


def test_the_cart_is_kept_when_the_visitor_signs_in(client, resume):
    from accounts.tests.factories import PASSWORD, UserFactory

    user = UserFactory()
    add(client, resume)

    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})

    assert response.status_code == 302
    assert client.session["cart"] == [{"product": resume.pk, "computer_type": ""}]
