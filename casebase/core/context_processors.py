from django.conf import settings


def site(request):
    user = getattr(request, "user", None)
    return {
        "SITE_URL": settings.SITE_URL,
        "is_editor": bool(user and user.is_authenticated and user.is_staff),
        "request_id": getattr(request, "request_id", ""),
    }
