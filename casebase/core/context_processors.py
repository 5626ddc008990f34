from casebase.core.siteurl import site_url


def site(request):
    user = getattr(request, "user", None)
    return {
        "SITE_URL": site_url(),
        "is_editor": bool(user and user.is_authenticated and user.is_staff),
        "request_id": getattr(request, "request_id", ""),
    }
