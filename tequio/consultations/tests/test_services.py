"""The writes of consultations: what they store, refuse, audit and queue."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.utils import timezone

from tequio.consultations import computing, services
from tequio.consultations.models import (
    AnalysisSnapshot,
    Audience,
    Consultation,
    ConsultationState,
    InvitationLink,
    Participant,
    ParticipantKind,
    Statement,
    StatementStatus,
    Vote,
)
from tequio.core.models import AuditEvent

from .conftest import add_members, vote_in_camps


def test_it_creates_a_consultation_with_its_seed_statements_accepted(cast, steward):
    consultation = services.consultation_create(
        actor=steward, community=cast.community, question="  ¿Qué   priorizamos? ", seed_statements=["Uno", "", "Dos"],
    )
    assert consultation.question == "¿Qué priorizamos?"
    assert consultation.state == ConsultationState.DRAFT
    assert list(consultation.statements.values_list("number", "text", "status", "is_seed")) == [
        (0, "Uno", "accepted", True), (1, "Dos", "accepted", True)]
    assert AuditEvent.objects.filter(action="consultation.create", target_id=str(consultation.pk)).exists()


def test_seed_statements_that_repeat_each_other_are_refused_with_their_line(cast, steward):
    with pytest.raises(ValidationError) as error:
        services.consultation_create(actor=steward, community=cast.community, question="¿Qué?",
                                     seed_statements=["Más becas.", "más   BECAS"])
    assert error.value.message_dict["seed_statements"] == ["Line 2 repeats an earlier statement."]
    assert not Consultation.objects.exists()


def test_a_consultation_must_close_after_it_opens(cast, steward):
    now = timezone.now()
    with pytest.raises(ValidationError):
        services.consultation_create(actor=steward, community=cast.community, question="¿Qué?", opens_at=now,
                                     closes_at=now - timedelta(days=1))


def test_it_takes_votes_only_while_open_and_within_its_dates(consultation):
    assert consultation.is_accepting()
    consultation.closes_at = timezone.now() - timedelta(minutes=1)
    assert not consultation.is_accepting() and consultation.phase == "closed"
    consultation.closes_at, consultation.opens_at = None, timezone.now() + timedelta(days=1)
    assert not consultation.is_accepting() and consultation.phase == "scheduled"


def test_changing_who_may_take_part_is_audited(consultation, steward):
    services.consultation_update(actor=steward, consultation=consultation, audience=Audience.MEMBERS)
    event = AuditEvent.objects.get(action="consultation.audience")
    assert event.data == {"from": "invited", "to": "members"}


def test_a_later_vote_replaces_the_earlier_one(cast, consultation):
    member = cast.users["member"]
    statement = consultation.statements.first()
    services.vote_cast(actor=member, consultation=consultation, statement_id=statement.pk, value="agree")
    services.vote_cast(actor=member, consultation=consultation, statement_id=statement.pk, value="disagree")
    vote = Vote.objects.get()
    assert vote.value == -1
    assert vote.participant.user == member and vote.participant.kind == ParticipantKind.MEMBER
    assert Participant.objects.count() == 1


def test_the_first_vote_queues_one_recomputation_for_many_votes(cast, consultation, django_capture_on_commit_callbacks):
    member = cast.users["member"]
    statements = list(consultation.statements.all())
    with django_capture_on_commit_callbacks() as callbacks:
        for statement in statements:
            services.vote_cast(actor=member, consultation=consultation, statement_id=statement.pk, value="pass")
    assert len(callbacks) == 1
    consultation.refresh_from_db()
    assert consultation.analysis_queued
    assert Vote.objects.count() == len(statements)


def test_a_request_left_waiting_too_long_is_sent_again(cast, consultation, django_capture_on_commit_callbacks):
    statement = consultation.statements.first()
    Consultation.objects.filter(pk=consultation.pk).update(
        analysis_queued=True, analysis_requested_at=timezone.now() - timedelta(hours=1))
    consultation.refresh_from_db()
    with django_capture_on_commit_callbacks() as callbacks:
        services.vote_cast(actor=cast.users["member"], consultation=consultation, statement_id=statement.pk, value=1)
    assert len(callbacks) == 1


def test_the_queued_task_is_enqueued_on_the_database_queue(cast, consultation, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=True):
        services.vote_cast(actor=cast.users["member"], consultation=consultation,
                           statement_id=consultation.statements.first().pk, value=1)
    task = DBTaskResult.objects.get()
    assert task.task_path == "tequio.consultations.tasks.recompute_analysis"
    assert task.args_kwargs["args"] == [consultation.pk]
    assert task.run_after is not None and task.run_after > timezone.now()


def test_the_computation_claims_its_work_and_does_it_once(voters, consultation):
    statement = consultation.statements.first()
    services.vote_cast(actor=voters[0], consultation=consultation, statement_id=statement.pk, value=0)
    assert services.analysis_compute(consultation_id=consultation.pk) is True
    # The same task run again (or a second worker) finds nothing to do.
    assert services.analysis_compute(consultation_id=consultation.pk) is False
    snapshot = AnalysisSnapshot.objects.get(consultation=consultation)
    assert snapshot.vote_count == Vote.objects.filter(consultation=consultation).count()
    assert snapshot.generation == 2


def test_three_camps_make_three_groups_and_the_state_is_carried_to_the_next_update(voters, consultation):
    snapshot = AnalysisSnapshot.objects.get(consultation=consultation)
    assert snapshot.group_count == 3
    assert sorted(group["size"] for group in snapshot.result["groups"]) == [5, 5, 5]
    state = computing.state_from_json(snapshot.state)
    assert state.k_smoother.smoothed_k == 3
    assert state.in_conversation.sum() == 15
    # Clusters are carried by membership: each participant's base cluster, each base
    # cluster's group for every group count tried.
    assert (state.base_labels[state.in_conversation] >= 0).all()
    assert 3 in state.group_labels_by_k and state.group_labels_by_k[3].dtype.kind == "i"
    assert computing.state_to_json(state) == snapshot.state
    # The next update starts from this state: the same votes give the same groups.
    services.analysis_compute(consultation_id=consultation.pk, force=True)
    again = AnalysisSnapshot.objects.get(consultation=consultation)
    assert again.positions == snapshot.positions and len(again.positions) == 15


def test_a_vote_cast_while_the_math_runs_is_kept_and_queues_the_next_run(voters, consultation, monkeypatch):
    statement = consultation.statements.first()
    original = computing.compute

    def compute_while_someone_votes(loaded, state):
        services.vote_cast(actor=voters[1], consultation=Consultation.objects.get(pk=consultation.pk),
                           statement_id=statement.pk, value=0)
        return original(loaded, state)

    monkeypatch.setattr(computing, "compute", compute_while_someone_votes)
    Consultation.objects.filter(pk=consultation.pk).update(analysis_queued=True)
    assert services.analysis_compute(consultation_id=consultation.pk)
    assert Vote.objects.get(participant__user=voters[1], statement=statement).value == 0
    assert Consultation.objects.get(pk=consultation.pk).analysis_queued


def test_a_participants_statement_counts_as_their_agreement(cast, consultation):
    statement = services.statement_submit(actor=cast.users["member"], consultation=consultation,
                                          text="Más alumbrado en las calles.")
    assert statement.status == StatementStatus.ACCEPTED and not statement.is_seed
    assert statement.author.user == cast.users["member"]
    assert Vote.objects.get(statement=statement).value == 1


def test_with_moderation_a_statement_waits_and_takes_no_votes(cast, consultation):
    consultation.moderation_required = True
    statement = services.statement_submit(actor=cast.users["member"], consultation=consultation, text="Otra idea.")
    assert statement.status == StatementStatus.PENDING
    with pytest.raises(ValidationError, match="waiting for moderation"):
        services.vote_cast(actor=cast.users["ally"], consultation=consultation, statement_id=statement.pk, value=1)


def test_one_person_may_write_a_bounded_number_of_statements(cast, consultation):
    for number in range(services.MAX_STATEMENTS_PER_PARTICIPANT):
        services.statement_submit(actor=cast.users["member"], consultation=consultation, text=f"Idea número {number}")
    with pytest.raises(ValidationError, match="the most one person may write"):
        services.statement_submit(actor=cast.users["member"], consultation=consultation, text="Una más")


def test_a_rejected_statement_leaves_the_math_but_stays_in_the_record(voters, consultation, steward):
    statement = consultation.statements.order_by("number").first()
    votes = statement.votes.count()
    services.statement_moderate(actor=steward, statement=statement, status=StatementStatus.REJECTED)
    services.analysis_compute(consultation_id=consultation.pk)
    snapshot = AnalysisSnapshot.objects.get(consultation=consultation)
    assert str(statement.pk) not in snapshot.priorities
    assert all(row["s"] != statement.pk for rows in snapshot.result["representative"] for row in rows)
    statement.refresh_from_db()
    assert statement.status == StatementStatus.REJECTED and statement.votes.count() == votes
    assert AuditEvent.objects.get(action="consultation.moderate").data["to"] == "rejected"


def test_an_invitation_link_lets_people_in_up_to_its_limit(consultation, steward):
    link, code = services.invitation_link_create(actor=steward, consultation=consultation, max_uses=2)
    assert len(code) == services.CODE_LENGTH and InvitationLink.objects.get().code_hash != code
    assert services.invitation_link_for_code(services.format_code(code).lower()) == link
    first, token = services.participant_join(user=AnonymousUser(), link=link)
    assert first.kind == ParticipantKind.INVITED and first.user is None and first.token_hash != token
    services.participant_join(user=AnonymousUser(), link=link)
    with pytest.raises(ValidationError, match="already been used by 2 people"):
        services.participant_join(user=AnonymousUser(), link=link)
    assert InvitationLink.objects.get().uses == 2 and Participant.objects.count() == 2


def test_a_signed_in_person_joins_once_whatever_the_number_of_clicks(cast, consultation, steward):
    link, _code = services.invitation_link_create(actor=steward, consultation=consultation, max_uses=5)
    outsider = cast.users["outsider"]
    first, token = services.participant_join(user=outsider, link=link)
    again, _token = services.participant_join(user=outsider, link=link)
    assert token is None and first == again and InvitationLink.objects.get().uses == 1


def test_a_withdrawn_link_lets_nobody_else_in(consultation, steward):
    link, _code = services.invitation_link_create(actor=steward, consultation=consultation, max_uses=5)
    services.invitation_link_revoke(actor=steward, link=link)
    with pytest.raises(ValidationError, match="withdrawn"):
        services.participant_join(user=AnonymousUser(), link=InvitationLink.objects.get())


def test_links_are_only_for_consultations_open_to_invited_people(consultation, steward):
    consultation.audience = Audience.MEMBERS
    with pytest.raises(ValidationError, match="Only members"):
        services.invitation_link_create(actor=steward, consultation=consultation, max_uses=5)


def test_participants_are_never_stored_with_an_address():
    names = {field.name for field in Participant._meta.get_fields()}
    assert not names & {"ip", "ip_address", "address", "user_agent", "email", "name"}


def test_statement_numbers_stay_in_order_as_the_matrix_positions(cast, consultation):
    votes_before = computing.load(consultation)
    services.statement_submit(actor=cast.users["member"], consultation=consultation, text="Una idea nueva.")
    loaded = computing.load(consultation)
    assert loaded.statement_pks[: votes_before.statement_pks.size].tolist() == votes_before.statement_pks.tolist()
    assert Statement.objects.filter(consultation=consultation).order_by("-number").first().number == len(loaded.statement_pks) - 1


def test_statements_that_everyone_passes_on_come_last_in_the_routing(cast, consultation):
    users = add_members(cast, 6, prefix="camp")
    vote_in_camps(consultation, users, camps=2)
    skipped = consultation.statements.get(number=5)
    for user in users:
        services.vote_cast(actor=user, consultation=consultation, statement_id=skipped.pk, value="pass")
    services.analysis_compute(consultation_id=consultation.pk, force=True)
    priorities = AnalysisSnapshot.objects.get(consultation=consultation).priorities
    assert {int(pk) for pk in priorities} == set(consultation.statements.values_list("pk", flat=True))
    assert min(priorities, key=priorities.get) == str(skipped.pk)
    assert all(value > 0 for value in priorities.values())
