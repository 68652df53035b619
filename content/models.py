from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page


class HomePage(Page):
    """The root of the public site: the learning centre prospects arrive at."""

    intro = RichTextField(
        blank=True,
        features=["bold", "italic", "link"],
        help_text="A sentence or two under the title on what readers find here.",
    )

    content_panels = [*Page.content_panels, FieldPanel("intro")]

    parent_page_types = ["wagtailcore.Page"]
    max_count = 1
    page_description = (
        "The learning centre at the root of the site. There is exactly one."
    )

    class Meta:
        verbose_name = "home page"

    def __str__(self) -> str:
        return self.title
