# Run by bench/load.py inside `manage.py shell`: prints {page name: [queries with demo data,
# queries after adding 50 more rows of each kind, after adding 50 more again]} as JSON on
# the last line. (A paged list is counted only once it is longer than a page: from
# the demo data to 50 rows more its page may gain that one query, never after.)
import json

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from consent.purposes import Purpose, Source
from consent.services import consent_grant, consent_withdraw


def count(client, path):
    client.get(path, HTTP_HOST="127.0.0.1")  # warm caches, as on a running site
    with CaptureQueriesContext(connection) as context:
        response = client.get(path, HTTP_HOST="127.0.0.1")
    assert response.status_code == 200, (path, response.status_code)
    return len(context.captured_queries)


def grow(user):
    from django.utils import timezone

    from orders.cart import CartLine
    from orders.models import Product
    from orders.services import order_create

    product = Product.objects.filter(active=True, kind=Product.Kind.COVER_LETTER).first()
    for i in range(50):
        record = consent_grant if i % 2 else consent_withdraw
        record(user=user, purpose=Purpose.MARKETING, source=Source.PREFERENCES)
        order_create(
            lines=[CartLine(product=product)],
            user=user,
            name=user.name,
            email=user.email,
            age_confirmed_at=timezone.now(),
        )


def main(pages):
    user = User.objects.get(email="jobseeker@example.com")
    clients = {False: Client(), True: Client()}
    clients[True].force_login(user)
    sizes = [{name: count(clients[signed_in], path) for name, path, signed_in in pages}]
    for _ in range(2):
        grow(user)
        sizes.append({name: count(clients[signed_in], path) for name, path, signed_in in pages})
    print(json.dumps({name: [size[name] for size in sizes] for name in sizes[0]}))
