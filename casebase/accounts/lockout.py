"""Sign-in lockout: the account and address pair, and the address alone with its own limit.

django-axes counts failures for each group of AXES_LOCKOUT_PARAMETERS and compares
the largest count with one limit. The pair (username, address) should lock after a
few failures, but one address guessing one password across many user names is
throttled only at a higher limit (an office behind one address has many people who
mistype). So the address's count is scaled to the pair's limit before axes compares:
the address alone locks at AXES_IP_FAILURE_LIMIT.
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit, get_lockout_parameters
from django.conf import settings
from django.db.models import Sum


class PairAndAddressLockout(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None) -> int:
        limit = get_failure_limit(request, credentials)
        groups = get_lockout_parameters(request, credentials)
        worst = 0
        for group, attempts in zip(groups, self.get_user_attempts(request, credentials), strict=True):
            failures = attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            if group == "ip_address":
                failures = failures * limit // settings.AXES_IP_FAILURE_LIMIT
            worst = max(worst, failures)
        return worst
