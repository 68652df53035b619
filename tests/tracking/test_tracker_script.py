import gzip
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db

#: About the size of Plausible's script (2,601 bytes gzipped); README reports it.
BUDGET_GZIPPED_BYTES = 2_600


def test_tracker_stays_within_its_size_budget():
    script = Path(finders.find("tracking/tracker.js")).read_bytes()

    assert len(gzip.compress(script, compresslevel=9)) <= BUDGET_GZIPPED_BYTES


def test_content_page_loads_the_tracker_deferred_with_its_page_id(client, guide):
    html = client.get(guide.url).content.decode()

    assert (
        '<script defer src="/static/tracking/tracker.js" '
        f'data-track-page="{guide.pk}" data-track-url="/t/e"></script>'
    ) in html


def test_content_page_carries_the_markup_the_tracker_measures(client, guide):
    html = client.get(guide.url).content.decode()

    assert "data-track-body" in html
    assert "data-track-end" in html
    assert html.count("data-track-section=") == 3


def test_pages_that_are_not_content_load_no_tracker(client, home_page):
    html = client.get(home_page.url).content.decode()

    assert "tracker.js" not in html
