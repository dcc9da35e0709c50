"""Crux's URLs plus `bench/hello`: the cheapest response Django can give through the same
middleware, as the floor that the thread page's cost is measured against."""

from django.http import HttpResponse
from django.urls import include, path
from django.views.decorators.http import require_GET


@require_GET
def hello(request):
    return HttpResponse("Hello, world\n", content_type="text/plain")


urlpatterns = [
    path("bench/hello", hello, name="bench_hello"),
    path("", include("forum.urls")),
]
