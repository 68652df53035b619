import pytest
from django.core.exceptions import ValidationError

from content.blocks import Measure
from content.models import GuidePage, expected_reading_seconds
from tests.content.factories import (
    CaptionsDocumentFactory,
    GuidePageFactory,
    ImageFactory,
    VideoDocumentFactory,
    VideoPageFactory,
    faq_block,
    image_block,
    section,
    text,
    video_block,
    words,
)


def test_words_images_and_video_add_up():
    measure = Measure(words=476, images=2, video_seconds=30)

    assert expected_reading_seconds(measure) == 120 + 24 + 30


def test_reading_rate_and_image_pause_are_settings(settings):
    settings.CONTENT_WORDS_PER_MINUTE = 100
    settings.CONTENT_SECONDS_PER_IMAGE = 5

    assert expected_reading_seconds(Measure(words=100, images=1)) == 65


def test_partial_seconds_round_up():
    assert expected_reading_seconds(Measure(words=1)) == 1


@pytest.mark.django_db
def test_saving_a_guide_measures_its_body(index_page):
    video, captions = VideoDocumentFactory(), CaptionsDocumentFactory()
    guide = GuidePageFactory(
        parent=index_page,
        body=[
            section(
                "Costs",  # 1 word
                text(f"<p>{words(469)}</p>"),
                image_block(ImageFactory(), alt="Not counted", caption="Two words"),
                video_block(video, captions, seconds=45, title="Tour"),  # 1 word
                faq_block(("Why now?", "Because.")),  # 3 words
            )
        ],
    )

    guide.refresh_from_db()
    assert guide.word_count == 1 + 469 + 2 + 1 + 3
    assert guide.image_count == 1
    assert guide.video_seconds == 45
    assert guide.expected_reading_seconds == 120 + 12 + 45


@pytest.mark.django_db
def test_editing_a_guide_updates_its_reading_time(index_page):
    guide = GuidePageFactory(
        parent=index_page, body=[section("One", text(f"<p>{words(237)}</p>"))]
    )
    assert guide.expected_reading_seconds == 60

    guide.body = [section("One", text(f"<p>{words(475)}</p>"))]
    guide.save_revision().publish()

    assert GuidePage.objects.get(pk=guide.pk).expected_reading_seconds == 120


@pytest.mark.django_db
def test_a_video_page_takes_as_long_as_its_video(index_page):
    page = VideoPageFactory(parent=index_page, duration_seconds=95, description="")

    assert page.video_seconds == 95
    assert page.expected_reading_seconds == 95


@pytest.mark.django_db
def test_a_video_page_refuses_a_file_that_is_not_a_video(index_page):
    page = VideoPageFactory.build(video=CaptionsDocumentFactory())

    with pytest.raises(ValidationError) as error:
        page.clean()

    assert "video must be .webm, .mp4" in str(error.value)
