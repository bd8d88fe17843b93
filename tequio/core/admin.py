from django.contrib import admin

from .models import (
    Affiliation,
    ApiToken,
    AuditEvent,
    Charter,
    Community,
    Goal,
    Invitation,
    Membership,
    Organization,
    PeerGroup,
    Person,
)


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "stage", "privacy", "removed_at"]
    list_filter = ["stage", "privacy"]
    search_fields = ["name", "slug"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "community", "kind", "state", "removed_at"]
    list_filter = ["kind", "community"]
    search_fields = ["name"]
    list_select_related = ["community"]


class AffiliationInline(admin.TabularInline):
    model = Affiliation
    raw_id_fields = ["organization"]
    extra = 0


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["display_name", "community", "removed_at"]
    search_fields = ["display_name"]
    list_select_related = ["community"]
    raw_id_fields = ["user"]
    inlines = [AffiliationInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "community", "role", "joined_at", "ended_at"]
    list_filter = ["role"]
    raw_id_fields = ["user", "person"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "community", "actor", "action", "target_repr"]
    list_filter = ["action"]

    # The audit log is append-only, even for administrators: only services write it,
    # so a hand-made entry could not be told from a real one.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.register([Goal, Charter, PeerGroup, Invitation, ApiToken])
