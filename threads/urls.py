from django.urls import path

from threads import views

urlpatterns = [
    path("", views.home, name="home"),
]
