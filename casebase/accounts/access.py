"""Who may open the signed-in areas, and keeping what was typed when a session expired.

When a session expires while someone writes, their POST arrives anonymous.
Rather than throw the text away, the POST is kept in the (new, anonymous)
session under the page's path, and they are sent to sign in. Signing in keeps
session data (Django cycles the key), so when the form page loads again it
finds what they wrote and shows it, unsaved, for them to check and save.
Keeping it in the session rather than in a table ties it to that browser: no
link can make someone else's text appear in a form.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import QueryDict
from django.utils import timezone

STASH_KEY = "casebase_unsaved_posts"
STASH_MAX_FIELDS = 2000


def stash_post(request, path: str) -> None:
    data = {
        key: request.POST.getlist(key)
        for key in list(request.POST.keys())[:STASH_MAX_FIELDS]
        if key != "csrfmiddlewaretoken"
    }
    stash = request.session.get(STASH_KEY, {})
    stash[path] = {"data": data, "saved_at": timezone.now().isoformat()}
    request.session[STASH_KEY] = stash


def take_stashed_post(request) -> QueryDict | None:
    """The POST kept for this page while its author signed in again, removed from the session."""
    stash = request.session.get(STASH_KEY) or {}
    entry = stash.pop(request.path, None)
    if entry is None:
        return None
    request.session[STASH_KEY] = stash
    data = QueryDict(mutable=True)
    for key, values in entry["data"].items():
        data.setlist(key, values)
    return data


def restores_unsaved_post(view):
    """Mark a form view as the page that puts back a POST kept while its author signed in again."""
    view.restores_unsaved_post = True
    return view


def signed_in_or_login(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            if request.method == "POST":
                # Come back to the page holding the form (a GET), where the kept text is restored:
                # the form view itself, or for an action such as .../comment/ the page above it.
                if getattr(view, "restores_unsaved_post", False):
                    page = request.path
                else:
                    page = request.path.rstrip("/").rsplit("/", 1)[0] + "/"
                stash_post(request, page)
                return redirect_to_login(page)
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

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
