"""Keeping the public forms for residents: a honeypot field and rate limits.

The forms that send e-mail (registration, 参加してみたい, page feedback with a
comment) are what a spammer would use to send mail through the city, so:

- every public form carries a honeypot field that people never see; a
  submission that fills it in is answered as if it had succeeded and is
  then dropped;
- accepted submissions are counted per client address and per e-mail
  mailbox (django-ratelimit, in the shared cache; `mailbox_of`, so
  plus-addressing does not make one person many); past the limit the form
  comes back with everything typed and a message to try later (429).

Only submissions that would be accepted count: correcting a form with
errors never locks a resident out.
"""

import ipaddress
import logging
import unicodedata

from django_ratelimit.core import is_ratelimited

from django import forms
from django.conf import settings
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

HONEYPOT_FIELD = "website"


class HoneypotMixin(forms.Form):
    """A field hidden from people (CSS and aria-hidden) that bots fill in."""

    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def is_spam(self):
        return bool(self.data.get(self.add_prefix(HONEYPOT_FIELD), ""))

    def visible_fields(self):
        return [field for field in super().visible_fields() if field.name != HONEYPOT_FIELD]


def client_ip(request):
    """The resident's address: REMOTE_ADDR, or the header the city's proxy
    sets (DJANGO_CLIENT_IP_HEADER, e.g. HTTP_X_REAL_IP behind compose's nginx).

    A missing or malformed header falls back to REMOTE_ADDR instead of
    failing; only configure a header that the proxy always overwrites.
    """
    header = settings.CLIENT_IP_HEADER
    proxied = request.META.get(header, "") if header else ""
    # No REMOTE_ADDR: a request from no network (Django's test client force_login).
    for value in (proxied, request.META.get("REMOTE_ADDR", "")):
        # X-Forwarded-For style: the proxy appends the address it saw last.
        candidate = value.split(",")[-1].strip()
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            continue
    return "0.0.0.0"


# Providers that ignore dots in the local part: one mailbox, many spellings.
DOTLESS_DOMAINS = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}


def canonical_email(address):
    """The address as it is compared and looked up: NFKC, trimmed, lower case
    (ｈａｎａｋｏ＠Example.JP and hanako@example.jp are one address)."""
    return unicodedata.normalize("NFKC", address or "").strip().lower()


def address_digest(address, salt):
    """A keyed hash (HMAC-SHA256 with SECRET_KEY, `salt` per use) of the
    canonical address: what task arguments and lookups carry instead of the
    address itself. "" for no address."""
    address = canonical_email(address)
    if not address:
        return ""
    return salted_hmac(salt, address, algorithm="sha256").hexdigest()


def mailbox_of(address):
    """The mailbox an address delivers to, for counting submissions per person:
    the canonical address without a `+tag`, and without dots for Gmail, so
    hanako+1@… and h.a.n.a.k.o@gmail.com count as the mailbox they reach."""
    address = canonical_email(address)
    local, at, domain = address.rpartition("@")
    if not at:
        return address
    local = local.split("+", 1)[0]
    if domain in DOTLESS_DOMAINS:
        local, domain = local.replace(".", ""), DOTLESS_DOMAINS[domain]
    return f"{local}@{domain}"


def client_network(request):
    """One client, as limits and counts see it: the address, or its /64 for
    IPv6 (one household's prefix, which its devices' addresses share)."""
    address = ipaddress.ip_address(client_ip(request))
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)
    return str(address)


def _client_key(_group, request):
    return client_network(request)


def too_many(request, group, address=""):
    """Count an accepted submission; True when this one is over a limit."""
    rates = settings.PUBLIC_FORM_RATES
    limited = is_ratelimited(
        request,
        group=group,
        key=_client_key,
        rate=rates["per_client"],
        increment=True,
    )
    if address:
        limited |= is_ratelimited(
            request,
            group=f"{group}:address",
            key=lambda _group, _req: mailbox_of(address),
            rate=rates["per_address"],
            increment=True,
        )
    if limited:
        logger.warning("rate limit reached for %s from %s", group, client_ip(request))
    return limited


TOO_MANY_MESSAGE = _(
    "We have received many submissions from you in a short time. Nothing has been "
    "sent this time; please try again in an hour, or contact the civic-activity "
    "office by telephone."
)
