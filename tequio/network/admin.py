"""Admin for support work. Survey responses are not registered: answers leave their
organization only as aggregates, and a support session should not change that."""

from django.contrib import admin

from .models import Ask, MetricSnapshot, Stakeholder, SurveyWave, Tie


@admin.register(Tie)
class TieAdmin(admin.ModelAdmin):
    list_display = ["__str__", "community", "started_on", "ended_on", "origin", "removed_at"]
    list_filter = ["type", "origin", "community"]
    raw_id_fields = ["source", "target", "recorded_by", "source_confirmed_by", "target_confirmed_by", "declined_by"]
    list_select_related = ["community", "source", "target"]


@admin.register(SurveyWave)
class SurveyWaveAdmin(admin.ModelAdmin):
    list_display = ["title", "community", "opens_on", "closes_on", "status"]
    list_filter = ["status"]


@admin.register(Stakeholder)
class StakeholderAdmin(admin.ModelAdmin):
    list_display = ["name", "community", "sector", "influence", "alignment", "interest", "removed_at"]
    list_filter = ["sector"]
    filter_horizontal = ["held_by"]


@admin.register(Ask)
class AskAdmin(admin.ModelAdmin):
    list_display = ["title", "community", "kind", "topic", "status", "created_at"]
    list_filter = ["kind", "topic", "status"]
    raw_id_fields = ["organization", "posted_by"]


@admin.register(MetricSnapshot)
class MetricSnapshotAdmin(admin.ModelAdmin):
    list_display = ["community", "kind", "key", "status", "stale", "computed_at", "seconds"]
    list_filter = ["kind", "status"]
    readonly_fields = ["data"]
