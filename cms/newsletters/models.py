"""市民協働推進だより「Link!」: the office's newsletter."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from wagtail import blocks
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.fields import StreamField
from wagtail.search import index

from cms.core.models import BasePage, IndexPage
from search.index import JapaneseSearchField


class ArticleBlock(blocks.StructBlock):
    """One entry of an issue's table of contents."""

    title = blocks.CharBlock(label=_("Title"), max_length=200)
    summary = blocks.TextBlock(label=_("Summary"), required=False)
    page = blocks.PageChooserBlock(label=_("Related page"), required=False)

    class Meta:
        icon = "doc-full-inverse"
        template = "blocks/article_block.html"
        label = _("Article")
        preview_value = {"title": "団体紹介", "summary": "市内で活動する団体を紹介します。"}
        description = _("An article of the issue, as listed in its table of contents.")


class NewsletterContents(blocks.StreamBlock):
    article = ArticleBlock()


class NewsletterIndexPage(IndexPage):
    subpage_types = ["newsletters.NewsletterIssuePage"]
    listing_context_name = "issues"

    class Meta:
        verbose_name = _("newsletter index page")
        verbose_name_plural = _("newsletter index pages")

    def get_listing(self):
        return (
            NewsletterIssuePage.objects.live()
            .public()
            .child_of(self)
            .select_related("document")
            .order_by("-issue_date", "-volume")
        )

    def linked_documents(self):
        listed = [issue.document for issue in self.get_listing() if issue.document]
        return listed + super().linked_documents()


class NewsletterIssuePage(BasePage):
    volume = models.PositiveIntegerField(_("volume"))
    issue_date = models.DateField(_("issue date"))
    document = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("PDF"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    summary = models.TextField(_("summary"), blank=True)
    contents = StreamField(NewsletterContents(), verbose_name=_("table of contents"), blank=True)

    content_panels = BasePage.content_panels + [
        FieldRowPanel([FieldPanel("volume"), FieldPanel("issue_date")]),
        FieldPanel("document"),
        FieldPanel("summary"),
        FieldPanel("contents"),
    ]
    search_fields = BasePage.search_fields + [
        JapaneseSearchField("summary"),
        JapaneseSearchField("contents"),
        index.FilterField("issue_date"),
    ]
    parent_page_types = ["newsletters.NewsletterIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("newsletter issue")
        verbose_name_plural = _("newsletter issues")

    def linked_documents(self):
        own = [self.document] if self.document else []
        return own + [doc for doc in super().linked_documents() if doc not in own]
