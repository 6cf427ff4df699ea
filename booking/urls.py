from django.urls import path

from . import views, waitlist_views

app_name = "booking"

urlpatterns = [
    path("", views.start, name="start"),
    path("choose/", views.choose, name="choose"),
    path("times/", views.times, name="times"),
    path("hold/", views.hold, name="hold"),
    path("release/", views.release, name="release"),
    path("leaving/", views.leaving, name="leaving"),
    path("details/", views.details, name="details"),
    path("review/", views.review, name="review"),
    path("confirmed/", views.confirmed, name="confirmed"),
    path("manage/<str:token>/", views.manage, name="manage"),
    path("waitlist/", waitlist_views.join, name="waitlist"),
    path("waitlist/joined/", waitlist_views.joined, name="waitlist_joined"),
    path("waitlist/claim/<str:token>/", waitlist_views.claim, name="waitlist_claim"),
    path("waitlist/leave/<str:token>/", waitlist_views.leave, name="waitlist_leave"),
]
