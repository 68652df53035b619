import pytest

from sales.templatetags.sales_tags import duration


@pytest.mark.parametrize(
    ("seconds", "said"),
    [
        (0, "0 s"),
        (59, "59 s"),
        (60, "1 min"),
        (908, "15 min"),
        (3600, "1 h"),
        (4800, "1 h 20 min"),
        (None, ""),
        ("x", ""),
    ],
)
def test_duration_reads_like_speech(seconds, said):
    assert duration(seconds) == said
