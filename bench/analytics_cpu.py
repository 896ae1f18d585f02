# Run by bench/load.py inside `manage.py shell`: the analytics middleware's cost in the
# web process's CPU time, as JSON on the last line. Requests/s under wrk cannot resolve
# a few per cent on a shared machine; here the middleware's own work for one request
# of the minimal page (all that counting on adds) is timed in a tight loop, and set
# against the CPU time of a whole request of that page with counting off.
import json
import statistics
import time

from django.core.handlers.wsgi import WSGIHandler
from django.test import Client, RequestFactory, override_settings

from privacy.middleware import AnalyticsMiddleware


def page_cpu_ms(path, batches=10, count=200):
    """Median CPU time of one request of the page through the stack, counting off."""
    with override_settings(ANALYTICS_ENABLED=False):
        handler = WSGIHandler()
    environ = RequestFactory().get(path, HTTP_HOST="127.0.0.1").environ

    def run():
        start = time.process_time()
        for _ in range(count):
            response = handler(dict(environ), lambda status, headers: None)
            assert response.status_code == 200, response.status_code
            b"".join(response)
            response.close()
        return (time.process_time() - start) / count

    run()
    return 1000 * statistics.median(run() for _ in range(batches))


def middleware_cpu_ms(path, count=20_000):
    """CPU time the middleware adds to one request: around a finished request and
    response of the page, the middleware against the bare view it wraps."""
    response = Client().get(path, HTTP_HOST="127.0.0.1")
    assert response.status_code == 200, response.status_code
    request = response.wsgi_request

    def view(request):
        return response

    counting = AnalyticsMiddleware(view)

    def run(call):
        start = time.process_time()
        for _ in range(count):
            call(request)
        return (time.process_time() - start) / count

    run(counting)
    rounds = [run(counting) - run(view) for _ in range(5)]
    return 1000 * statistics.median(rounds)


def main(path):
    page = page_cpu_ms(path)
    middleware = middleware_cpu_ms(path)
    print(
        json.dumps(
            {"page_ms": page, "middleware_ms": middleware, "cost": middleware / (page + middleware)}
        )
    )
