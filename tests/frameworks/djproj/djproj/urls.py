"""URLs of the test project."""

from django.urls import path
from django.views.generic import RedirectView

from . import views

urlpatterns = [
    path("", views.index),
    path("echo", views.echo),
    path("old", RedirectView.as_view(url="/", permanent=False)),
    path("where", views.where),
]
