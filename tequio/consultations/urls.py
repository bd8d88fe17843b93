"""Mounted by core under /c/<slug>/ (``core.urls.capability_patterns``)."""

from django.urls import path

from . import views

app_name = "consultations"

C = "consultations/<int:consultation_pk>/"

urlpatterns = [
    path("consultations/", views.consultation_list, name="consultation_list"),
    path("consultations/new/", views.consultation_create, name="consultation_create"),
    path("consultations/join/", views.join, name="join"),
    path("consultations/join/<str:code>/", views.join_link, name="join_link"),
    path(C, views.consultation_detail, name="consultation_detail"),
    path(C + "edit/", views.consultation_edit, name="consultation_edit"),
    path(C + "state/", views.consultation_state, name="consultation_state"),
    path(C + "vote/", views.vote, name="vote"),
    path(C + "statements/new/", views.statement_create, name="statement_create"),
    path(C + "moderation/", views.moderation, name="moderation"),
    path(C + "statements/<int:statement_pk>/moderate/", views.statement_moderate, name="statement_moderate"),
    path(C + "results/", views.results, name="results"),
    path(C + "report/", views.report, name="report"),
    path(C + "analysis/", views.analysis_refresh, name="analysis_refresh"),
    path(C + "invitations/", views.invitations, name="invitations"),
    path(C + "invitations/<int:link_pk>/revoke/", views.link_revoke, name="link_revoke"),
]
