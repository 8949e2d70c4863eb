"""Page furniture and the taxonomies every content app shares.

`BasePage` gives every public page what a Japanese municipal page carries:
a page number, the updated date, print links, the contact block and the
feedback form. Snippets here (contact points, fields of activity, areas)
are the shared vocabulary editors tag content with.
"""

import re

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.documents import get_document_model
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page, get_page_models
from wagtail.search import index

from search.index import JapaneseAutocompleteField, JapaneseSearchField, page_search_fields

from .blocks import StandardPageBody, iter_documents

# Page numbers are shown the way the city's current site shows them: a
# seven-digit number that never changes for the life of the page.
PAGE_NUMBER_OFFSET = 1_000_000


class ContactPoint(index.Indexed, models.Model):
    """A department desk residents can contact (このページに関するお問い合わせ)."""

    department = models.CharField(_("department"), max_length=100, blank=True)
    section = models.CharField(_("section"), max_length=100)
    postal_code = models.CharField(_("postal code"), max_length=8, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    fax = models.CharField(_("fax"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    contact_form_url = models.URLField(_("contact form URL"), blank=True)

    search_fields = [
        JapaneseSearchField("section"),
        JapaneseSearchField("department"),
        JapaneseSearchField("address"),
        JapaneseAutocompleteField("section"),
        JapaneseAutocompleteField("department"),
    ]

    class Meta:
        verbose_name = _("contact point")
        verbose_name_plural = _("contact points")
        ordering = ["department", "section"]

    def __str__(self):
        return f"{self.department} {self.section}".strip()


class FieldOfActivity(index.Indexed, models.Model):
    """A field of civic activity (分野), e.g. 子育て or 防災."""

    name = models.CharField(pgettext_lazy("civic", "name"), max_length=50, unique=True)
    slug = models.SlugField(_("slug"), max_length=50, unique=True, allow_unicode=False)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    search_fields = [JapaneseSearchField("name"), JapaneseAutocompleteField("name")]

    class Meta:
        verbose_name = _("field of activity")
        verbose_name_plural = _("fields of activity")
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name


class Area(index.Indexed, models.Model):
    """A town (町) of the city, with the centroid used for distances."""

    name = models.CharField(pgettext_lazy("civic", "name"), max_length=50, unique=True)
    kana = models.CharField(_("reading"), max_length=100, blank=True)
    slug = models.SlugField(_("slug"), max_length=50, unique=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    search_fields = [
        JapaneseSearchField("name"),
        JapaneseSearchField("kana"),
        JapaneseAutocompleteField("name"),
    ]

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name


@register_setting(icon="site")
class SiteSettings(BaseSiteSetting):
    """Settings editors change without a deployment."""

    organisation_name = models.CharField(_("organisation name"), max_length=100, default="武蔵野市")
    default_contact_point = models.ForeignKey(
        ContactPoint,
        verbose_name=_("default contact point"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Shown on pages that do not name their own contact point."),
    )
    footer_note = models.CharField(_("footer note"), max_length=200, blank=True)

    panels = [
        FieldPanel("organisation_name"),
        FieldPanel("default_contact_point"),
        FieldPanel("footer_note"),
    ]

    class Meta:
        verbose_name = _("site settings")


class BasePage(Page):
    """Abstract base of every public page: the municipal page furniture."""

    contact_point = models.ForeignKey(
        ContactPoint,
        verbose_name=_("contact point"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Leave empty to use the site's default contact point."),
    )
    sample_content = models.BooleanField(
        _("contains sample content"),
        default=False,
        help_text=_("Shows a notice that parts of this page are sample content, not real."),
    )

    search_fields = page_search_fields()

    # Publishing the page is news (新着情報 on the home page and the feeds);
    # index pages say False, their news being their children.
    in_whats_new = True

    settings_panels = Page.settings_panels + [
        MultiFieldPanel(
            [FieldPanel("contact_point"), FieldPanel("sample_content")],
            heading=_("Page furniture"),
        ),
    ]

    class Meta:
        abstract = True

    def title_as_text(self):
        """The title, indexed with the body text too (see search.index.page_search_fields)."""
        return self.title

    @property
    def page_number(self):
        """The stable page number (ページ番号) shown on the page."""
        return PAGE_NUMBER_OFFSET + self.pk if self.pk else None

    @property
    def updated_at(self):
        """When residents last saw a change: the last publication."""
        return self.last_published_at or self.first_published_at

    def get_contact_point(self, request=None):
        """The page's contact point, else the site's default, else the first one."""
        if self.contact_point_id:
            return self.contact_point
        site = self.get_site()
        if site is not None:
            default = SiteSettings.for_site(site).default_contact_point
            if default is not None:
                return default
        return ContactPoint.objects.order_by("pk").first()

    def linked_documents(self):
        """Documents this page links to, from document blocks and rich text.

        PDFs among them bring the reader notice. Subclasses with a document
        field of their own add it.
        """
        documents, ids = [], set()
        for field in self._meta.concrete_fields:
            value = getattr(self, field.attname, None)
            if isinstance(field, RichTextField):
                ids |= document_ids_in(value)
            elif isinstance(field, StreamField):
                documents.extend(iter_documents(value))
                for child in value or []:
                    if child.block_type == "paragraph":
                        ids |= document_ids_in(child.value.source)
        ids -= {document.pk for document in documents}
        if ids:
            documents.extend(get_document_model().objects.filter(pk__in=ids))
        return documents

    def has_pdf_links(self):
        return any((doc.file_extension or "").lower() == "pdf" for doc in self.linked_documents())


def latest_updates(limit, root=None):
    """Live public pages under `root` (a site's root page) most recently
    published or updated, newest first (新着情報)."""
    types = [model for model in get_page_models() if getattr(model, "in_whats_new", False)]
    pages = Page.objects.live().public().type(*types)
    if root is not None:
        pages = pages.descendant_of(root, inclusive=True)
    return pages.order_by(F("last_published_at").desc(nulls_last=True), "-pk").specific()[:limit]


class IndexPage(BasePage):
    """An index of the child pages of one type, with an introduction and filters.

    Subclasses say what they list (`get_listing`), under which template name
    (`listing_context_name`) and, optionally, the form that filters it.
    """

    introduction = RichTextField(_("introduction"), blank=True)

    content_panels = BasePage.content_panels + [FieldPanel("introduction")]
    parent_page_types = ["home.HomePage"]

    listing_context_name = "items"
    filter_form_class = None
    in_whats_new = False

    class Meta:
        abstract = True

    def get_listing(self):
        raise NotImplementedError

    def get_filter_form(self, request):
        return self.filter_form_class(request.GET or None)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        listing = self.get_listing()
        if self.filter_form_class is not None:
            form = self.get_filter_form(request)
            listing = form.apply(listing)
            context["filter_form"] = form
        context[self.listing_context_name] = listing
        return context


class StandardPage(BasePage):
    """A plain content page: about, how-to, policies."""

    introduction = models.TextField(_("introduction"), blank=True)
    body = StreamField(StandardPageBody(), verbose_name=_("body"), blank=True)

    content_panels = BasePage.content_panels + [
        FieldPanel("introduction"),
        FieldPanel("body"),
    ]

    search_fields = BasePage.search_fields + [
        JapaneseSearchField("introduction"),
        JapaneseSearchField("body"),
    ]

    parent_page_types = ["home.HomePage", "core.StandardPage", "plan.PlanPage"]
    subpage_types = ["core.StandardPage"]

    class Meta:
        verbose_name = _("standard page")
        verbose_name_plural = _("standard pages")


_DOCUMENT_LINK = re.compile(r"<a\b[^>]*>", re.IGNORECASE)
_DOCUMENT_ID = re.compile(r'\bid="(\d+)"')


def document_ids_in(html):
    """Ids of the documents a rich text value (database format) links to."""
    ids = set()
    for tag in _DOCUMENT_LINK.findall(html or ""):
        if 'linktype="document"' in tag:
            match = _DOCUMENT_ID.search(tag)
            if match:
                ids.add(int(match.group(1)))
    return ids


class PageFeedback(models.Model):
    """A resident's answer to 「このページの情報は役に立ちましたか」."""

    class Usefulness(models.TextChoices):
        USEFUL = "useful", _("Useful")
        NEUTRAL = "neutral", _("Neither")
        NOT_USEFUL = "not_useful", _("Not useful")

    class Findability(models.TextChoices):
        EASY = "easy", _("Easy to find")
        NEUTRAL = "neutral", _("Neither")
        HARD = "hard", _("Hard to find")

    COMMENT_MAX_LENGTH = 1000

    page = models.ForeignKey(
        Page,
        verbose_name=_("page"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="feedback",
    )
    page_title = models.CharField(_("page title"), max_length=255)
    page_url = models.CharField(_("page URL"), max_length=500, blank=True)
    usefulness = models.CharField(_("usefulness"), max_length=20, choices=Usefulness.choices)
    findability = models.CharField(
        _("findability"), max_length=20, choices=Findability.choices, blank=True
    )
    comment = models.TextField(
        pgettext_lazy("page feedback", "comment"), max_length=COMMENT_MAX_LENGTH, blank=True
    )
    created_at = models.DateTimeField(_("received at"), auto_now_add=True, db_index=True)
    notified_at = models.DateTimeField(_("notified at"), null=True, blank=True)

    class Meta:
        verbose_name = _("page feedback")
        verbose_name_plural = _("page feedback")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.page_title} ({self.get_usefulness_display()})"

    @property
    def received(self):
        """The time received, in Japan time to the minute, for the export."""
        return timezone.localtime(self.created_at).strftime("%Y-%m-%d %H:%M")
