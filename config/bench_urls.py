"""The project's URLs plus ``/bench/peer-insert``: a plain Django view doing one insert,
the peer against which lodgement is measured in the same run."""

import json

from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from config.urls import urlpatterns as project_urls
from ventanilla.core.idempotency import IdempotencyRecord


@csrf_exempt
def peer_insert(request: HttpRequest) -> JsonResponse:
    body = json.loads(request.body or b"{}")
    row = IdempotencyRecord.objects.create(
        owner="bench", key=body["key"], scope="bench", request_hash="-", status_code=200, body={}
    )
    return JsonResponse({"id": row.pk}, status=201)


urlpatterns = [path("bench/peer-insert", peer_insert), *project_urls]
