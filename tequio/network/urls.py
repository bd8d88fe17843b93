from django.urls import path

from . import views

app_name = "network"

urlpatterns = [
    path("network/", views.network_map, name="map"),
    path("network/recompute/", views.recompute, name="recompute"),
    path("network/ties/", views.ties, name="ties"),
    path("network/ties/new/", views.tie_create, name="tie_create"),
    path("network/ties/<int:pk>/", views.tie_detail, name="tie_detail"),
    path("network/ties/<int:pk>/edit/", views.tie_edit, name="tie_edit"),
    path("network/ties/<int:pk>/confirm/", views.tie_confirm, name="tie_confirm"),
    path("network/ties/<int:pk>/decline/", views.tie_decline, name="tie_decline"),
    path("network/ties/<int:pk>/remove/", views.tie_remove, name="tie_remove"),
    path("network/exchange/", views.exchange_page, name="exchange"),
    path("network/import/", views.tie_import, name="import"),
    path("network/import/template.csv", views.kumu_template, name="import_template"),
    path("network/export/nodes.csv", views.export_nodes_csv, name="export_nodes_csv"),
    path("network/export/edges.csv", views.export_edges_csv, name="export_edges_csv"),
    path("network/export/network.graphml", views.export_graphml, name="export_graphml"),
    path("network/export/network.gexf", views.export_gexf, name="export_gexf"),
    path("network/export/network.json", views.export_json, name="export_json"),
    path("network/surveys/", views.waves, name="waves"),
    path("network/surveys/compare/", views.wave_compare, name="wave_compare"),
    path("network/surveys/<int:pk>/", views.wave_detail, name="wave_detail"),
    path("network/surveys/<int:pk>/edit/", views.wave_edit, name="wave_edit"),
    path("network/surveys/<int:pk>/answer/", views.wave_answer, name="wave_answer"),
    path("network/surveys/<int:pk>/ties/", views.wave_ties, name="wave_ties"),
    path("network/stakeholders/", views.stakeholders, name="stakeholders"),
    path("network/stakeholders/<int:pk>/edit/", views.stakeholder_edit, name="stakeholder_edit"),
    path("network/stakeholders/<int:pk>/remove/", views.stakeholder_remove, name="stakeholder_remove"),
    path("network/allies/", views.allies, name="allies"),
    path("network/allies/dismiss/", views.ally_dismiss, name="ally_dismiss"),
    path("network/allies/restore/", views.ally_restore, name="ally_restore"),
    path("network/asks/", views.asks, name="asks"),
    path("network/asks/<int:pk>/", views.ask_detail, name="ask_detail"),
    path("network/asks/<int:pk>/close/", views.ask_close, name="ask_close"),
    path("network/answers/<int:pk>/accept/", views.answer_accept, name="answer_accept"),
    path("network/answers/<int:pk>/decline/", views.answer_decline, name="answer_decline"),
]
