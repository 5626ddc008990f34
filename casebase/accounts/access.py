"""Who may open the signed-in areas, and keeping what was typed when a session expired.

When a session expires while someone writes, their POST arrives anonymous.
Rather than throw the text away, the POST is kept under the page's path and
they are sent to sign in; when the form page loads again, signed in, it finds
what they wrote and shows it, unsaved, for them to check and save.

What is kept lives in the cache for an hour under a random token, and the token
in a cookie of that browser only: no link can make someone else's text appear in
a form, and an anonymous POST creates no session. Every such POST is only
redirected, so what it may leave behind is bounded: at most STASH_MAX_BYTES per
browser, for STASH_SECONDS, and at most STASHES_PER_CLIENT new ones an hour from
one address (the cache evicts, so a flood cannot grow any table). Beyond that
nothing is kept and the sign-in page says so, while the browser still holds the
text (its Back button).
"""

import json
import secrets
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import QueryDict
from django.utils import timezone

from casebase.core.clientip import client_ip

STASH_COOKIE = "casebase_unsaved"
STASH_MAX_FIELDS = 2000
# A whole case as the template asks for it fits many times over; a pasted
# megabyte does not.
STASH_MAX_BYTES = 256 * 1024
STASH_SECONDS = 3600
STASHES_PER_CLIENT = 20
NOT_KEPT = (
    "Your session had ended, and what you wrote was too large to keep while you sign in "
    "again. Go back in your browser to copy it before signing in."
)
NOT_KEPT_NOW = (
    "Your session had ended, and what you wrote could not be kept while you sign in "
    "again. Go back in your browser to copy it before signing in."
)


def _key(token: str) -> str:
    return f"unsaved-post:{token}"


def _new_stash_allowed(request) -> bool:
    key = f"unsaved-post-count:{client_ip(request)}"
    cache.add(key, 0, STASH_SECONDS)
    try:
        return cache.incr(key) <= STASHES_PER_CLIENT
    except ValueError:  # the cache is unavailable: nothing could be kept anyway
        return False


def stash_post(request, response, path: str) -> None:
    """Keep this anonymous POST for ``path`` until its author has signed in again (see above)."""
    data = {
        key: request.POST.getlist(key)
        for key in list(request.POST.keys())[:STASH_MAX_FIELDS]
        if key != "csrfmiddlewaretoken"
    }
    entry = {"data": data, "saved_at": timezone.now().isoformat()}
    size = len(json.dumps(entry))
    if size > STASH_MAX_BYTES:
        messages.warning(request, NOT_KEPT)
        return
    token = request.COOKIES.get(STASH_COOKIE, "")
    stash = cache.get(_key(token)) if token else None
    if stash is None:
        if not _new_stash_allowed(request):
            messages.warning(request, NOT_KEPT_NOW)
            return
        token, stash = secrets.token_urlsafe(32), {}
    stash.pop(path, None)
    # Older pages make room for this one within the browser's budget.
    while stash and size + len(json.dumps(stash)) > STASH_MAX_BYTES:
        stash.pop(next(iter(stash)))
    stash[path] = entry
    cache.set(_key(token), stash, STASH_SECONDS)
    if cache.get(_key(token)) is None:
        messages.warning(request, NOT_KEPT_NOW)
        return
    response.set_cookie(
        STASH_COOKIE,
        token,
        max_age=STASH_SECONDS,
        path="/",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def take_stashed_post(request) -> QueryDict | None:
    """The POST kept for this page while its author signed in again, removed from the stash."""
    token = request.COOKIES.get(STASH_COOKIE, "")
    stash = cache.get(_key(token)) if token else None
    if not stash or request.path not in stash:
        return None
    entry = stash.pop(request.path)
    if stash:
        cache.set(_key(token), stash, STASH_SECONDS)
    else:
        cache.delete(_key(token))
    data = QueryDict(mutable=True)
    for key, values in entry["data"].items():
        data.setlist(key, values)
    return data


def restores_unsaved_post(view):
    """Mark a form view as the page that puts back a POST kept while its author signed in again."""
    view.restores_unsaved_post = True
    return view


def form_page(view, path: str) -> str:
    """The page holding the form whose POST reached ``view`` at ``path`` (a GET), where kept text
    is restored: the form view itself, or for an action such as .../comment/ the page above it."""
    if getattr(view, "restores_unsaved_post", False):
        return path
    return path.rstrip("/").rsplit("/", 1)[0] + "/"


def signed_in_or_login(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            if request.method == "POST":
                page = form_page(view, request.path)
                response = redirect_to_login(page)
                stash_post(request, response, page)
                return response
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    # Its POSTs are worth keeping when they cannot be taken now (see accounts.views.csrf_failure);
    # decorators above copy this with the rest of the function's attributes.
    wrapper.keeps_unsaved_post = True
    return wrapper


def supporter_required(view):
    """Signed-in supporter members only (editors have /review/)."""

    @signed_in_or_login
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        membership = getattr(request.user, "membership", None)
        if membership is None or request.user.is_staff:
            raise PermissionDenied("This area is for supporter members.")
        request.organization = membership.organization
        return view(request, *args, **kwargs)

    return wrapper


def editor_required(view):
    """PAI staff (editors and administrators) only."""

    @signed_in_or_login
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_staff:
            raise PermissionDenied("This area is for PAI editors.")
        return view(request, *args, **kwargs)

    return wrapper


def reader_required(view):
    """Signed-in readers only: supporter members and editors have their own areas."""

    @signed_in_or_login
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        from casebase.accounts.readers import is_reader

        if not is_reader(request.user):
            raise PermissionDenied("This page is for reader accounts.")
        return view(request, *args, **kwargs)

    return wrapper
