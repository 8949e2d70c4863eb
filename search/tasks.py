"""Background work of site search."""

from celery import shared_task

from cms.infrastructure.tasks import KeptAfterLastRetry


@shared_task(
    base=KeptAfterLastRetry,
    autoretry_for=(ConnectionError, OSError),
    retry_backoff=True,
    max_retries=5,
)
def delete_search_document(index_name, document_id):
    """Remove a deleted object's document from the engine's index.

    Queued by search.backends.engine when the engine could not be reached at
    the moment of the delete, so search never keeps showing a deleted page.
    """
    from wagtail.search.backends import get_search_backends

    from .backends.engine import SearchEngineUnavailable, is_engine_unavailable

    for backend in get_search_backends(with_auto_update=True):
        client = getattr(backend, "es", None)
        if client is None:
            continue
        try:
            client.delete(index=index_name, id=document_id, params={"ignore": 404})
        except Exception as error:
            if is_engine_unavailable(error):
                raise SearchEngineUnavailable(str(error)) from error
            raise


@shared_task
def purge_search_queries():
    """Daily (celery beat): stored search queries past their retention period go."""
    from .query_log import purge_old_queries

    purge_old_queries()
