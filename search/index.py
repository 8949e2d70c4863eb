"""Search fields that index Japanese-analysed text.

Models declare `JapaneseSearchField` / `JapaneseAutocompleteField` instead of
Wagtail's own: the value of the field is run through `search.analysis` before
any backend sees it, so SQLite FTS5, PostgreSQL and Elasticsearch all index
the same space-separated terms. A field named "title" still lands in the
backends' title column and keeps its boost; related objects' titles are
indexed as "title_as_text", body text, for that reason.

Pages index what they show of other objects through index.RelatedFields;
`register_related_updates` (SearchConfig.ready) follows those declarations
so that renaming an area or a skill re-indexes the pages that show it.
"""

import threading

from django.db import transaction
from django.db.models import signals
from django.utils.encoding import force_str

from wagtail.search import index

from . import analysis


def as_text(value):
    """Flatten what a field's get_value() returns (str, list, dict, None) to text."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return "\n".join(as_text(item) for item in value.values())
    if isinstance(value, (list, tuple)):
        return "\n".join(as_text(item) for item in value)
    return force_str(value)


class JapaneseSearchField(index.SearchField):
    def get_value(self, obj):
        return analysis.index_text(as_text(super().get_value(obj)))


class JapaneseAutocompleteField(index.AutocompleteField):
    def get_value(self, obj):
        return analysis.autocomplete_text(as_text(super().get_value(obj)))


# Titles weigh more than bodies on every backend (Wagtail's own default is 2).
TITLE_BOOST = 3


def page_search_fields(*fields):
    """Wagtail's Page search fields with the title analysed, plus `fields`."""
    from wagtail.models import Page

    base = [
        field
        for field in Page.search_fields
        if not (
            isinstance(field, (index.SearchField, index.AutocompleteField))
            and field.field_name == "title"
        )
    ]
    return [
        JapaneseSearchField("title", boost=TITLE_BOOST),
        # The title once more as body text, so a query whose words are split
        # between title and text still matches the body column alone (the
        # PostgreSQL backend matches on the body's GIN index).
        JapaneseSearchField("title_as_text"),
        JapaneseAutocompleteField("title"),
        *base,
        *fields,
    ]


def shown_in_language(callable_):
    """Call `callable_` in the site's language, as residents read the page.

    Choice labels and equipment names are translated strings: indexed in
    whatever language an editor's admin session uses, 講師 would be indexed
    as "Lecturer".
    """
    from django.conf import settings
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        return callable_()


# --- Keeping pages right when what they show changes --------------------------
#
# Wagtail indexes an object when it is saved, but not the objects that show
# it: renaming an area leaves every group, facility and activity in it indexed
# under the old name. Each index.RelatedFields of an indexed model says what
# that model shows of another; the handlers below follow those declarations,
# so a change to the other object (a rename, a room added to a facility, a
# skill's aliases) queues the objects that show it, once per transaction,
# through Wagtail's own index-update task.

_pending = threading.local()


def update_index_later(objects):
    """Re-index `objects` once the current transaction commits (each once)."""
    keys = {(obj._meta.app_label, obj._meta.model_name, str(obj.pk)) for obj in objects}
    update_index_of_keys(keys)


def update_index_of(model, pks):
    """Re-index the `model` objects with these primary keys after the commit."""
    update_index_of_keys({(model._meta.app_label, model._meta.model_name, str(pk)) for pk in pks})


def update_index_of_keys(keys):
    if not keys:
        return
    pending = _pending_keys()
    pending.update(keys)
    # One callback per change; a key queued twice is indexed by the first
    # callback that runs. A rolled-back transaction drops its callbacks and
    # leaves its keys pending until they are queued again.
    transaction.on_commit(lambda: _flush(keys))


def _pending_keys():
    if not hasattr(_pending, "keys"):
        _pending.keys = set()
    return _pending.keys


def _flush(keys):
    from modelsearch.tasks import insert_or_update_object_task

    from django.apps import apps

    pending = _pending_keys()
    due = sorted(key for key in keys if key in pending)
    pending.difference_update(due)
    by_model = {}
    for app_label, model_name, pk in due:
        by_model.setdefault((app_label, model_name), []).append(pk)
    for (app_label, model_name), pks in by_model.items():
        # A page deleted with its speakers is gone by now: nothing to index.
        model = apps.get_model(app_label, model_name)
        existing = model._base_manager.filter(pk__in=pks).values_list("pk", flat=True)
        for pk in sorted(existing):
            insert_or_update_object_task.enqueue(app_label, model_name, str(pk))


class Follow:
    """One relation an indexed model shows: `model` objects reached by `path`.

    `fields` are the searched fields of the related object, whose values
    decide whether a change to it changes what the dependent model indexes.
    """

    def __init__(self, dependant, path, related_model, fields):
        self.dependant = dependant
        self.path = path
        self.related_model = related_model
        self.fields = fields

    def __repr__(self):
        return f"<Follow {self.dependant.__name__}.{self.path} -> {self.related_model.__name__}>"

    def shown_values(self, obj):
        """What the dependant indexes of `obj` (raw values, before analysis)."""
        values = []
        for field in self.fields:
            values.append(as_text(index.BaseField.get_value(field, obj)))
        return tuple(values)

    def dependant_pks(self, obj):
        manager = self.dependant._base_manager
        return set(manager.filter(**{self.path: obj.pk}).values_list("pk", flat=True))


def follows_of(model):
    """Every relation `model`'s search fields follow, nested ones included."""
    found = []

    def walk(fields, current_model, prefix):
        for field in fields:
            if not isinstance(field, index.RelatedFields):
                continue
            related_model = field.get_field(current_model).related_model
            path = f"{prefix}{field.field_name}"
            shown = [sub for sub in field.fields if isinstance(sub, index.SearchField)]
            found.append(Follow(model, path, related_model, shown))
            walk(field.fields, related_model, f"{path}__")

    walk(model.get_search_fields(), model, "")
    return found


def all_follows():
    """{related model: [Follow]} over every indexed model."""
    by_model = {}
    for model in index.get_indexed_models():
        # django-modelsearch's own test models (its backend suite, run in the
        # project's tests) keep the stock behaviour the suite expects.
        if not getattr(model, "search_auto_update", True) or model.__module__.startswith(
            "modelsearch."
        ):
            continue
        for follow in follows_of(model):
            by_model.setdefault(follow.related_model, []).append(follow)
    return by_model


def register_related_updates():
    """Connect the handlers that follow index.RelatedFields (SearchConfig.ready)."""
    for related_model, follows in all_follows().items():
        handlers = RelatedChangeHandlers(related_model, follows)
        _registered_handlers.append(handlers)
        handlers.connect()


_registered_handlers = []


class RelatedChangeHandlers:
    """pre/post save and delete of one related model, for all that follow it."""

    def __init__(self, related_model, follows):
        self.related_model = related_model
        self.follows = follows

    def connect(self):
        uid = f"search-follow-{self.related_model._meta.label_lower}"
        for signal, handler in (
            (signals.pre_save, self.before_save),
            (signals.post_save, self.after_save),
            (signals.pre_delete, self.before_delete),
            (signals.post_delete, self.after_delete),
        ):
            signal.connect(handler, sender=self.related_model, dispatch_uid=uid, weak=False)
        for follow in self.follows:
            field = follow.dependant._meta.get_field(follow.path.split("__")[0])
            through = getattr(getattr(field, "remote_field", None), "through", None)
            if field.many_to_many and through is not None and "__" not in follow.path:
                signals.m2m_changed.connect(
                    self.m2m_handler(follow),
                    sender=through,
                    dispatch_uid=f"{uid}-{follow.dependant._meta.label_lower}-{follow.path}",
                    weak=False,
                )

    def before_save(self, sender, instance, raw=False, **kwargs):
        if raw or instance.pk is None:
            return
        before = self.related_model._base_manager.filter(pk=instance.pk).first()
        if before is not None:
            instance._search_shown_before = {
                id(follow): follow.shown_values(before) for follow in self.follows
            }

    def after_save(self, sender, instance, created, raw=False, **kwargs):
        if raw:
            return
        before = getattr(instance, "_search_shown_before", None)
        instance._search_shown_before = None
        for follow in self.follows:
            if before is not None and before.get(id(follow)) == follow.shown_values(instance):
                continue
            update_index_of(follow.dependant, follow.dependant_pks(instance))

    def before_delete(self, sender, instance, **kwargs):
        # After the delete nothing leads from the dependants to it any more.
        instance._search_dependants = [
            (follow.dependant, follow.dependant_pks(instance)) for follow in self.follows
        ]

    def after_delete(self, sender, instance, **kwargs):
        for dependant, pks in getattr(instance, "_search_dependants", ()):
            update_index_of(dependant, pks)

    def m2m_handler(self, follow):
        def changed(sender, instance, action, reverse, pk_set, **kwargs):
            if action not in ("post_add", "post_remove", "post_clear"):
                return
            if isinstance(instance, follow.dependant):
                update_index_later([instance])
            elif pk_set:
                update_index_of(follow.dependant, pk_set)

        return changed
