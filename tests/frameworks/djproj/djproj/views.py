"""Views of the test project: JSON out, a request body in."""

import json

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST


def index(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"framework": "django", "path": request.path, "scheme": request.scheme})


@csrf_exempt  # an API endpoint: no form, no CSRF cookie
@require_POST
def echo(request: HttpRequest) -> HttpResponse:
    data = json.loads(request.body)
    return JsonResponse({"received": data, "length": len(request.body)}, status=201)


def where(request: HttpRequest) -> HttpResponse:
    """What Django makes of the request's origin: behind a proxy, the client's view of it."""
    return JsonResponse(
        {
            "absolute": request.build_absolute_uri(),
            "scheme": request.scheme,
            "host": request.get_host(),
            "port": request.get_port(),
            "remote": request.META.get("REMOTE_ADDR"),
        }
    )
