from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.decorators.cache import never_cache

from wagtail import urls as wagtail_urls
from wagtail import views as wagtail_views
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from cms.accounts.views import PasswordResetView
from cms.activities.feeds import ActivitiesAtomFeed, ActivitiesFeed
from cms.core import views as core_views
from cms.core.feeds import WhatsNewAtomFeed, WhatsNewFeed
from cms.infrastructure.health import healthz
from matching import views as matching_views
from search import views as search_views

urlpatterns = [
    path("django-admin/", admin.site.urls),
    # Before Wagtail's own: throttled, and the mail always goes through a task.
    path(
        "admin/password_reset/",
        never_cache(PasswordResetView.as_view()),
        name="accounts_password_reset",
    ),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("healthz/", healthz, name="healthz"),
    path("search/", search_views.search, name="search"),
    path("api/matching/rank/", matching_views.rank_api, name="matching_rank_api"),
    path("matching/", include("matching.urls")),
    path("applications/", include("cms.applications.urls")),
    path(
        "feedback/<int:page_id>/",
        core_views.submit_page_feedback,
        name="page_feedback",
    ),
]

if settings.DEBUG:
    from django.conf.urls.static import static
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [
    path("feeds/news.rss", WhatsNewFeed(), name="feed_news_rss"),
    path("feeds/news.atom", WhatsNewAtomFeed(), name="feed_news_atom"),
    path("feeds/activities.rss", ActivitiesFeed(), name="feed_activities_rss"),
    path("feeds/activities.atom", ActivitiesAtomFeed(), name="feed_activities_atom"),
    # Wagtail's page paths have no dots; the .ics files that activity pages
    # serve as routes (RoutablePageMixin) reach Wagtail's page view here.
    re_path(r"^((?:[\w\-]+/)*[\w\-]+\.ics)$", wagtail_views.serve, name="page_ics"),
]

urlpatterns += [path("", include(wagtail_urls))]
