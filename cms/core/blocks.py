"""StreamField blocks shared by every page type.

Each block declares its template and icon; page types compose them into their
own StreamBlock subclasses so that editors only see what fits the page.
"""

from django.utils.translation import gettext_lazy as _

from wagtail import blocks
from wagtail.contrib.table_block.blocks import TableBlock
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageBlock
from wagtail.snippets.blocks import SnippetChooserBlock


class HeadingBlock(blocks.StructBlock):
    """A section heading; the level keeps the page outline in order."""

    text = blocks.CharBlock(label=_("Heading text"), max_length=120)
    level = blocks.ChoiceBlock(
        label=_("Level"),
        choices=[("h2", _("Heading 2")), ("h3", _("Heading 3")), ("h4", _("Heading 4"))],
        default="h2",
    )

    class Meta:
        icon = "title"
        template = "blocks/heading_block.html"
        label = _("Heading")
        preview_value = {"text": "事業の概要", "level": "h2"}
        description = _("A heading that starts a section of the page.")


class DocumentLinkBlock(blocks.StructBlock):
    """A link to a document; PDFs show their size and the reader notice."""

    document = DocumentChooserBlock(label=_("Document"))
    title = blocks.CharBlock(
        label=_("Link text"),
        required=False,
        help_text=_("Leave empty to use the document's title."),
    )

    class Meta:
        icon = "doc-full"
        template = "blocks/document_link_block.html"
        label = _("Document link")
        description = _("A link to a PDF or other document, with its file type and size.")


class ContactBlock(blocks.StructBlock):
    """A contact point printed inside the body, e.g. for an application desk."""

    contact_point = SnippetChooserBlock("core.ContactPoint", label=_("Contact point"))
    note = blocks.CharBlock(label=_("Note"), required=False, max_length=200)

    class Meta:
        icon = "mail"
        template = "blocks/contact_block.html"
        label = _("Contact")
        description = _("A department's address, phone and fax.")


class BaseStreamBlock(blocks.StreamBlock):
    """The blocks every body offers."""

    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(
        label=_("Paragraph"),
        icon="pilcrow",
        template="blocks/paragraph_block.html",
        features=["bold", "italic", "link", "document-link", "ol", "ul", "hr"],
    )
    image = ImageBlock(label=_("Image"), template="blocks/image_block.html")
    document = DocumentLinkBlock()
    table = TableBlock(
        label=_("Table"),
        table_options={"contextMenu": True},
    )
    contact = ContactBlock()


class StandardPageBody(BaseStreamBlock):
    class Meta:
        block_counts = {}


def iter_documents(stream_value):
    """Yield every document a StreamField value links to by a document block."""
    for child in stream_value or []:
        if child.block_type == "document" and child.value.get("document"):
            yield child.value["document"]
