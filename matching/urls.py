from django.urls import path

from . import digest_views, my_data_views, views

urlpatterns = [
    path("", views.find, name="matching_find"),
    path("register/", views.register, name="matching_register"),
    path("register/sent/", views.registration_sent, name="matching_registration_sent"),
    path("confirm/<str:token>/", views.confirm, name="matching_confirm"),
    path("interest/<int:page_id>/", views.interest, name="matching_interest"),
    path("interest/<int:page_id>/sent/", views.interest_sent, name="matching_interest_sent"),
    path("interest/confirm/<str:token>/", views.confirm_interest, name="matching_interest_confirm"),
    path(
        "digest/unsubscribe/<str:token>/",
        digest_views.unsubscribe,
        name="matching_digest_unsubscribe",
    ),
    path("my-data/", my_data_views.request_link, name="matching_my_data_request"),
    path("my-data/sent/", my_data_views.link_sent, name="matching_my_data_sent"),
    # No token in these: the link's token opened a session (my_data_views.open_link).
    path("my-data/yours/", my_data_views.my_data, name="matching_my_data"),
    path("my-data/yours/export.json", my_data_views.export, name="matching_my_data_export"),
    path("my-data/yours/delete/", my_data_views.delete, name="matching_my_data_delete"),
    path("my-data/<str:token>/", my_data_views.open_link, name="matching_my_data_link"),
]
