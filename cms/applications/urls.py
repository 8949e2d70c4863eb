"""Residents' application pages (being written: issue 14)."""

urlpatterns = []
