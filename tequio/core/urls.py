from django.urls import include, path

from . import registry, views, views_io

app_name = "core"

community_patterns = [
    path("", views.community_home, name="community_home"),
    path("settings/", views.community_edit, name="community_edit"),
    path("leave/", views.community_leave, name="community_leave"),
    path("goals/", views.goals, name="goals"),
    path("goals/<int:pk>/edit/", views.goal_edit, name="goal_edit"),
    path("goals/<int:pk>/remove/", views.goal_remove, name="goal_remove"),
    path("organizations/", views.organizations, name="organizations"),
    path("organizations/new/", views.organization_create, name="organization_create"),
    path("organizations/<int:pk>/", views.organization_detail, name="organization_detail"),
    path("organizations/<int:pk>/edit/", views.organization_edit, name="organization_edit"),
    path("organizations/<int:pk>/remove/", views.organization_remove, name="organization_remove"),
    path("people/", views.people, name="people"),
    path("people/new/", views.person_create, name="person_create"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/remove/", views.person_remove, name="person_remove"),
    path("people/<int:pk>/affiliations/", views.affiliation_add, name="affiliation_add"),
    path("people/<int:pk>/affiliations/<int:affiliation_pk>/remove/", views.affiliation_remove, name="affiliation_remove"),
    path("charter/", views.charter, name="charter"),
    path("charter/new/", views.charter_adopt, name="charter_adopt"),
    path("charter/v<int:version>/", views.charter_version, name="charter_version"),
    path("peer-groups/", views.peer_groups, name="peer_groups"),
    path("peer-groups/<int:pk>/edit/", views.peer_group_edit, name="peer_group_edit"),
    path("peer-groups/<int:pk>/remove/", views.peer_group_remove, name="peer_group_remove"),
    path("members/", views.members, name="members"),
    path("members/<int:pk>/role/", views.member_role, name="member_role"),
    path("members/<int:pk>/remove/", views.member_remove, name="member_remove"),
    path("invitations/", views.invitations, name="invitations"),
    path("invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("audit/", views.audit_log, name="audit"),
    path("import/", views_io.data_import, name="import"),
    path("export/<slug:kind>.<slug:fmt>", views_io.data_export, name="export"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("communities/new/", views.community_create, name="community_create"),
    path("invite/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("account/tokens/", views.api_tokens, name="api_tokens"),
    path("account/tokens/<int:pk>/revoke/", views.api_token_revoke, name="api_token_revoke"),
    path("c/<slug:slug>/", include(community_patterns)),
]


def capability_patterns():
    """Each capability's URLs, mounted under /c/<slug>/ with its own namespace."""
    return [
        path("c/<slug:slug>/", include(capability.urls))
        for capability in registry.capabilities()
        if capability.urls
    ]
