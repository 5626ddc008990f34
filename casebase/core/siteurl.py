"""The site's own address, for links read away from the page: emails, citations, feeds, the API.

In production it is SITE_URL, fixed (settings refuse to start without it): a link in an email
must not depend on which host header a request happened to carry. In development SITE_URL may be
left unset, and links then follow the request being answered, so a site run on another port or
host gives addresses that work there.
"""

from contextvars import ContextVar

from django.conf import settings

# Outside any request (a management command in development) there is no host to follow.
DEVELOPMENT_FALLBACK = "http://127.0.0.1:8000"

_request_origin: ContextVar[str] = ContextVar("request_origin", default="")


def site_url() -> str:
    """The address to put in front of a path for a link that leaves the page."""
    return settings.SITE_URL or _request_origin.get() or DEVELOPMENT_FALLBACK


class RequestOriginMiddleware:
    """With no SITE_URL set (development), remember the origin of the request being answered."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.SITE_URL:
            return self.get_response(request)
        # get_host() checks ALLOWED_HOSTS, so only a host the site answers to ends up in a link.
        token = _request_origin.set(f"{request.scheme}://{request.get_host()}")
        try:
            return self.get_response(request)
        finally:
            _request_origin.reset(token)
