"""What the ingest endpoint may learn about the client sending a beacon.

Only the browser family is kept; the user agent and address are read to
refuse, limit or drop a request and are never stored.
"""

import hashlib
import hmac
import re

from django.conf import settings
from django.http import HttpRequest

from tracking.models import Browser

# Crawlers, headless and automated browsers, HTTP libraries, link previewers
# and the email security scanners that open every link at delivery.
ROBOT_PATTERN = re.compile(
    r"bot\b|bot/|crawl|spider|slurp|scrap|headless|phantomjs|puppeteer|playwright"
    r"|selenium|webdriver|lighthouse|page ?speed|preview|prerender|python-|curl/|wget"
    r"|httpclient|okhttp|go-http|java/|libwww|scanner|safelinks|mimecast|proofpoint"
    r"|barracuda|urldefense|checkpoint|fortiguard|sophos|trendmicro|symantec"
    r"|facebookexternalhit|whatsapp|slack|discord|skype|outlook-ios|monitor",
    re.IGNORECASE,
)

BROWSER_PATTERNS = [
    (re.compile(r"Edg(e|A|iOS)?/"), Browser.EDGE),
    (re.compile(r"OPR/|Opera"), Browser.OPERA),
    (re.compile(r"Firefox/|FxiOS/"), Browser.FIREFOX),
    (re.compile(r"Chrome/|CriOS/|Chromium/"), Browser.CHROME),
    (re.compile(r"Safari/"), Browser.SAFARI),
]


def user_agent(request: HttpRequest) -> str:
    return request.headers.get("User-Agent", "")[:512]


def is_robot(request: HttpRequest) -> bool:
    """Whether the request comes from something other than a person's browser."""
    agent = user_agent(request)
    return not agent.startswith("Mozilla/") or bool(ROBOT_PATTERN.search(agent))


def browser_family(request: HttpRequest) -> str:
    agent = user_agent(request)
    for pattern, family in BROWSER_PATTERNS:
        if pattern.search(agent):
            return family
    return Browser.OTHER


def is_same_origin(request: HttpRequest) -> bool:
    """Whether a browser says the beacon comes from one of the portal's own pages.

    Beacons carry no CSRF token, and need none: they change nothing a visitor
    owns. ``Sec-Fetch-Site`` (set by the browser, not by scripts) must say
    ``same-origin`` when present, and ``Origin`` must match the host; one of
    the two is required.
    """
    fetch_site = request.headers.get("Sec-Fetch-Site")
    origin = request.headers.get("Origin")
    if fetch_site is not None and fetch_site != "same-origin":
        return False
    if origin is not None:
        return origin == f"{request.scheme}://{request.get_host()}"
    return fetch_site == "same-origin"


def asks_not_to_be_tracked(request: HttpRequest) -> bool:
    """Global Privacy Control (``Sec-GPC: 1``) or Do Not Track (``DNT: 1``)."""
    return request.headers.get("Sec-GPC") == "1" or request.headers.get("DNT") == "1"


def client_fingerprint(request: HttpRequest) -> str:
    """A keyed hash of the client address, for rate limits held in the cache only."""
    address = request.META.get("REMOTE_ADDR", "")
    return hmac.new(
        settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256
    ).hexdigest()[:32]
