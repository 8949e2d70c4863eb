from django.urls import path

from . import views

urlpatterns = [
    path("", views.find, name="matching_find"),
    path("register/", views.register, name="matching_register"),
    path("register/sent/", views.registration_sent, name="matching_registration_sent"),
    path("confirm/<str:token>/", views.confirm, name="matching_confirm"),
    path("interest/<int:page_id>/", views.interest, name="matching_interest"),
    path("interest/<int:page_id>/sent/", views.interest_sent, name="matching_interest_sent"),
]
