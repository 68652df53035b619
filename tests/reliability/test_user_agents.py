"""Robots create no engagement; real browsers are never dropped.

A full reading session (open, read, reach the end) is sent through the ingest
endpoint with each user agent. Robots are told to stop and leave no row;
browsers are stored and counted under their own family.
"""

import pytest

from tests.tracking.conftest import Reader
from tracking.models import Event, PageView, PageViewProgress

ROBOTS = {
    # Search and AI crawlers
    "googlebot": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "googlebot-smartphone": "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) "
    "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.7339.207 Mobile Safari/537.36 "
    "(compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "bingbot": "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "yandex": "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
    "baidu": "Mozilla/5.0 (compatible; Baiduspider/2.0; "
    "+http://www.baidu.com/search/spider.html)",
    "duckduckbot": "DuckDuckBot/1.1; (+http://duckduckgo.com/duckduckbot.html)",
    "applebot": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Safari/605.1.15 (Applebot/0.1; "
    "+http://www.apple.com/go/applebot)",
    "yahoo-slurp": "Mozilla/5.0 (compatible; Yahoo! Slurp; "
    "http://help.yahoo.com/help/us/ysearch/slurp)",
    "gptbot": "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; "
    "GPTBot/1.2; +https://openai.com/gptbot)",
    "claudebot": "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; "
    "ClaudeBot/1.0; +claudebot@anthropic.com)",
    "ahrefs": "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
    "semrush": "Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)",
    "petal": "Mozilla/5.0 (compatible;PetalBot;+https://webmaster.petalsearch.com/site/petalbot)",
    # Headless and automated browsers
    "headless-chrome": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) HeadlessChrome/140.0.0.0 Safari/537.36",
    "phantomjs": "Mozilla/5.0 (Unknown; Linux x86_64) AppleWebKit/538.1 "
    "(KHTML, like Gecko) PhantomJS/2.1.1 Safari/538.1",
    "lighthouse": "Mozilla/5.0 (Linux; Android 11; moto g power (2022)) "
    "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Mobile Safari/537.36 "
    "Chrome-Lighthouse",
    "pagespeed": "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/140.0.0.0 Mobile Safari/537.36 "
    "(compatible; Google Page Speed Insights)",
    "selenium": "Mozilla/5.0 (X11; Linux x86_64) Selenium WebDriver",
    # Link previews and email security scanners
    "facebook": "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "slack": "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    "whatsapp": "WhatsApp/2.23.20.0 A",
    "discord": "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
    "skype": "Mozilla/5.0 (Windows NT 6.1; WOW64) SkypeUriPreview Preview/0.5",
    "linkedin": "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
    "twitter": "Twitterbot/1.0",
    "mimecast": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Mimecast URL Protection",
    "safelinks": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Microsoft Office "
    "SafeLinks Preview",
    "proofpoint": "Mozilla/5.0 (compatible; Proofpoint URL Defense)",
    "barracuda": "Mozilla/5.0 (compatible; Barracuda Link Protection)",
    # HTTP libraries and uptime monitors
    "curl": "curl/8.5.0",
    "wget": "Wget/1.21.4",
    "python-requests": "python-requests/2.32.3",
    "go": "Go-http-client/2.0",
    "okhttp": "okhttp/4.12.0",
    "java": "Java/21.0.2",
    "uptime-robot": "Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)",
    "none": "",
}

BROWSERS = {
    "chrome-windows": (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36",
        "chrome",
    ),
    "chrome-mac": (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36",
        "chrome",
    ),
    "chrome-android": (
        "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/140.0.0.0 Mobile Safari/537.36",
        "chrome",
    ),
    "chrome-ios": (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_6 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) CriOS/140.0.7339.122 Mobile/15E148 Safari/604.1",
        "chrome",
    ),
    "firefox-windows": (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:143.0) Gecko/20100101 "
        "Firefox/143.0",
        "firefox",
    ),
    "firefox-linux": (
        "Mozilla/5.0 (X11; Linux x86_64; rv:143.0) Gecko/20100101 Firefox/143.0",
        "firefox",
    ),
    "firefox-android": (
        "Mozilla/5.0 (Android 15; Mobile; rv:143.0) Gecko/143.0 Firefox/143.0",
        "firefox",
    ),
    "firefox-ios": (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_6 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) FxiOS/143.0 Mobile/15E148 Safari/605.1.15",
        "firefox",
    ),
    "safari-mac": (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/26.0 Safari/605.1.15",
        "safari",
    ),
    "safari-iphone": (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_6 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/26.0 Mobile/15E148 Safari/604.1",
        "safari",
    ),
    "safari-ipad": (
        "Mozilla/5.0 (iPad; CPU OS 18_6 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/26.0 Mobile/15E148 Safari/604.1",
        "safari",
    ),
    "edge-windows": (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36 Edg/140.0.3485.81",
        "edge",
    ),
    "edge-mac": (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36 Edg/140.0.3485.81",
        "edge",
    ),
    "edge-android": (
        "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/140.0.0.0 Mobile Safari/537.36 EdgA/140.0.3485.81",
        "edge",
    ),
    "edge-ios": (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_6 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/18.0 EdgiOS/140.3485.81 Mobile/15E148 "
        "Safari/605.1.15",
        "edge",
    ),
    "samsung-internet": (
        "Mozilla/5.0 (Linux; Android 14; SM-S921B) AppleWebKit/537.36 "
        "(KHTML, like Gecko) SamsungBrowser/28.0 Chrome/130.0.0.0 "
        "Mobile Safari/537.36",
        "chrome",
    ),
    "opera-windows": (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36 OPR/122.0.0.0",
        "opera",
    ),
}

pytestmark = pytest.mark.django_db


def read_to_the_end(reader: Reader, clock, agent: str) -> list:
    answers = [reader.send(reader.batch(0, {"k": "view"}), HTTP_USER_AGENT=agent)]
    clock.advance(90)
    answers.append(
        reader.send(
            reader.batch(
                90_000,
                {"k": "engaged", "ms": 85_000},
                {"k": "depth", "pct": 100},
                {"k": "end"},
            ),
            HTTP_USER_AGENT=agent,
        )
    )
    return answers


@pytest.mark.parametrize("agent", ROBOTS.values(), ids=ROBOTS.keys())
def test_robots_create_no_engagement(client, article, clock, agent):
    answers = read_to_the_end(Reader(client, article), clock, agent)

    assert [(a.status_code, a.json()) for a in answers] == [(202, {"stop": True})] * 2
    assert not PageView.objects.exists()
    assert not Event.objects.exists()
    assert not PageViewProgress.objects.exists()


@pytest.mark.parametrize(("agent", "family"), BROWSERS.values(), ids=BROWSERS.keys())
def test_real_browsers_are_never_dropped(
    client, article, clock, agent, family, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        answers = read_to_the_end(Reader(client, article), clock, agent)

    assert [(a.status_code, a.json()) for a in answers] == [(202, {"ok": True})] * 2
    page_view = PageView.objects.get()
    assert page_view.browser == family
    assert Event.objects.count() == 4
    assert PageViewProgress.objects.get().engaged_seconds == 85
