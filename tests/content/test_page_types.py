from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from content.models import (
    ArticlePage,
    ContentIndexPage,
    ContentKind,
    GuidePage,
    HomePage,
    VideoPage,
    content_page_models,
)
from tests.content.factories import (
    ArticlePageFactory,
    ContentIndexPageFactory,
    GuidePageFactory,
    VideoPageFactory,
)


def form(page, body=(), **fields):
    """Admin form data for ``page`` with one section, as an editor would send."""
    data = {"title": page.title, "slug": page.slug, "summary": "A summary."}
    if body is not None:
        data["body"] = streamfield(
            [
                (
                    "section",
                    {
                        "heading": "Why it matters",
                        "anchor": "",
                        "body": streamfield(
                            [("text", rich_text("Four words of text."))]
                        ),
                    },
                )
            ]
        )
    return nested_form_data({**data, **fields})


class PageTypeTests(WagtailPageTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.home = HomePage.objects.get()
        cls.index = ContentIndexPageFactory(parent=cls.home)
        cls.guide = GuidePageFactory(parent=cls.index)
        cls.article = ArticlePageFactory(parent=cls.index, kind=ContentKind.REVIEW)
        cls.video = VideoPageFactory(parent=cls.index)

    def setUp(self):
        self.login()

    def test_pieces_live_only_in_index_pages(self):
        for model in (GuidePage, ArticlePage, VideoPage):
            self.assertAllowedParentPageTypes(model, {ContentIndexPage})
            self.assertCanCreateAt(ContentIndexPage, model)
            self.assertCanNotCreateAt(HomePage, model)
            self.assertCanNotCreateAt(model, GuidePage)

    def test_index_pages_live_under_the_home_page(self):
        self.assertAllowedParentPageTypes(ContentIndexPage, {HomePage})
        self.assertAllowedSubpageTypes(HomePage, {ContentIndexPage})
        self.assertCanNotCreateAt(ContentIndexPage, ContentIndexPage)

    def test_index_pages_accept_every_kind_of_piece(self):
        allowed = set(ContentIndexPage.allowed_subpage_models())

        assert set(content_page_models()) <= allowed
        assert {GuidePage, ArticlePage, VideoPage} <= allowed

    def test_every_page_type_explains_itself_to_editors(self):
        for model in (HomePage, ContentIndexPage, GuidePage, ArticlePage, VideoPage):
            assert model.page_description, model

    def test_every_page_renders(self):
        for page in (self.home, self.index, self.guide, self.article, self.video):
            self.assertPageIsRenderable(page)

    def test_every_page_previews(self):
        for page in (self.home, self.index):
            self.assertPageIsPreviewable(page)
        self.assertPageIsPreviewable(self.guide, post_data=form(self.guide))
        self.assertPageIsPreviewable(
            self.article, post_data=form(self.article, kind="cost")
        )
        self.assertPageIsPreviewable(
            self.video,
            post_data=form(
                self.video,
                body=None,
                video=self.video.video_id,
                captions=self.video.captions_id,
                duration_seconds=12,
                transcript=rich_text("What the narrator says."),
            ),
        )

    def test_an_editor_can_create_a_guide_in_the_admin(self):
        data = form(GuidePage(title="Choosing a heat pump", slug="heat-pumps"))

        self.assertCanCreate(self.index, GuidePage, data)

        guide = GuidePage.objects.get(slug="heat-pumps")
        assert guide.sections[0].anchor == "why-it-matters"
        assert guide.word_count == 3 + 4

    def test_content_kind_comes_from_the_page_type_or_the_article_kind(self):
        assert self.guide.content_kind == ContentKind.GUIDE
        assert self.video.content_kind == ContentKind.VIDEO
        assert self.article.content_kind == ContentKind.REVIEW
