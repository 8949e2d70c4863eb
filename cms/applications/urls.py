"""Residents' application pages, under /applications/ (cms/urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("<int:page_id>/apply/", views.apply, name="applications_apply"),
    path("<int:page_id>/sent/", views.sent, name="applications_sent"),
    path("confirm/<str:token>/", views.confirm, name="applications_confirm"),
    path("manage/<str:token>/", views.manage, name="applications_manage"),
]
