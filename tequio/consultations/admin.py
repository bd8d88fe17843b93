"""The platform administrator's view of consultations. Participants and votes are read-only:
nobody should edit what someone answered, and anonymous participants have no name to show."""

from django.contrib import admin

from .models import AnalysisSnapshot, Consultation, InvitationLink, Participant, Statement, Vote


@admin.register(Consultation)
class ConsultationAdmin(admin.ModelAdmin):
    list_display = ["question", "community", "state", "audience", "created_at", "removed_at"]
    list_filter = ["state", "audience", "language"]
    search_fields = ["question"]
    list_select_related = ["community"]
    raw_id_fields = ["community", "created_by"]
    readonly_fields = ["analysis_queued", "analysis_requested_at"]


@admin.register(Statement)
class StatementAdmin(admin.ModelAdmin):
    list_display = ["text", "consultation", "number", "status", "is_seed", "created_at"]
    list_filter = ["status", "is_seed"]
    search_fields = ["text"]
    list_select_related = ["consultation"]
    raw_id_fields = ["consultation", "author", "created_by", "moderated_by"]
    readonly_fields = ["fingerprint"]


@admin.register(InvitationLink)
class InvitationLinkAdmin(admin.ModelAdmin):
    list_display = ["__str__", "consultation", "uses", "max_uses", "created_at", "revoked_at"]
    raw_id_fields = ["consultation", "created_by"]
    readonly_fields = ["code_hash", "code_hint", "uses"]


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = ["__str__", "consultation", "kind", "created_at"]
    list_filter = ["kind"]
    raw_id_fields = ["consultation", "user", "invitation"]
    readonly_fields = ["consultation", "number", "kind", "user", "token_hash", "invitation", "created_at"]


@admin.register(Vote)
class VoteAdmin(admin.ModelAdmin):
    list_display = ["participant", "statement", "value", "updated_at"]
    raw_id_fields = ["consultation", "participant", "statement"]
    readonly_fields = ["consultation", "participant", "statement", "value", "created_at", "updated_at"]


@admin.register(AnalysisSnapshot)
class AnalysisSnapshotAdmin(admin.ModelAdmin):
    list_display = ["consultation", "computed_at", "vote_count", "participant_count", "group_count", "seconds"]
    raw_id_fields = ["consultation"]
    readonly_fields = ["computed_at", "seconds", "vote_count", "participant_count", "group_count", "generation"]
    exclude = ["result", "priorities", "state"]
