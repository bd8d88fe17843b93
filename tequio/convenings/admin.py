from django.contrib import admin

from .models import (
    ActionItem,
    AfterActionReview,
    AgendaItem,
    Attendance,
    Connection,
    Convening,
    ConveningSettings,
    Question,
    Questionnaire,
    Report,
    RoleAssignment,
    Session,
)


class SessionInline(admin.TabularInline):
    model = Session
    extra = 0
    raw_id_fields = ["peer_group"]


class RoleInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    raw_id_fields = ["person", "organization", "assigned_by"]


@admin.register(Convening)
class ConveningAdmin(admin.ModelAdmin):
    list_display = ["title", "community", "starts_at", "mode", "agenda_open", "removed_at"]
    list_filter = ["mode", "community"]
    search_fields = ["title", "place"]
    list_select_related = ["community"]
    raw_id_fields = ["community", "host_organization", "created_by"]
    inlines = [SessionInline, RoleInline]


@admin.register(AgendaItem)
class AgendaItemAdmin(admin.ModelAdmin):
    list_display = ["title", "convening", "proposer_kind", "organization", "removed_at"]
    list_filter = ["proposer_kind"]
    search_fields = ["title"]
    raw_id_fields = ["convening", "organization", "person", "created_by", "session"]


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    list_display = ["person", "convening", "organization", "method", "checked_in_at"]
    raw_id_fields = ["convening", "person", "organization", "recorded_by"]


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["convening", "rapporteur", "published_at"]
    raw_id_fields = ["convening", "rapporteur", "updated_by"]


@admin.register(ActionItem)
class ActionItemAdmin(admin.ModelAdmin):
    list_display = ["title", "convening", "owner", "due_on", "status"]
    list_filter = ["status"]
    raw_id_fields = ["convening", "owner", "owner_organization", "created_by"]


@admin.register(AfterActionReview)
class AfterActionReviewAdmin(admin.ModelAdmin):
    list_display = ["convening", "version", "updated_at"]
    raw_id_fields = ["convening", "updated_by"]


@admin.register(Connection)
class ConnectionAdmin(admin.ModelAdmin):
    list_display = ["organization_a", "organization_b", "convening"]
    raw_id_fields = ["convening", "organization_a", "organization_b", "created_by"]


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0


@admin.register(Questionnaire)
class QuestionnaireAdmin(admin.ModelAdmin):
    list_display = ["title", "community", "status", "anonymous", "is_template", "removed_at"]
    list_filter = ["status", "is_template"]
    raw_id_fields = ["community", "convening", "created_by"]
    inlines = [QuestionInline]


@admin.register(ConveningSettings)
class ConveningSettingsAdmin(admin.ModelAdmin):
    list_display = ["community", "votes_per_organization", "reminder_days_before"]
    raw_id_fields = ["community"]
