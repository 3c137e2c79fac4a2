"""API authentication: tokens are per user and revocable (delete them in the administration), and expire."""

import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if token.created < timezone.now() - datetime.timedelta(days=settings.API_TOKEN_TTL_DAYS):
            raise AuthenticationFailed(_("This token has expired: ask your administrator for a new one."))
        return user, token
