"""National-scale convenings for ``tequio bench generate`` (see ``bench.py``), with ``bulk_create``.

Volume, not realism, is the point, but the shape follows the demo: every convening
has sessions, topics with dots from member organizations, four roles held by
different people (facilitator and rapporteur from different organizations), ten
attendees, a report, a review, two action items and a connection; every fifth one
has the built-in post-convening questionnaire with answers. The largest community's
latest past convening gets one questionnaire with half of all the answers, the one
``bench pages`` times. Every choice comes from the bench's seeded generator.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from tequio.core.models import Affiliation, Person

from .bench import ATTENDEES_PER_CONVENING, ITEMS_PER_CONVENING, respondent_key
from .models import (
    ActionItem,
    AfterActionReview,
    AgendaItem,
    AgendaVote,
    Answer,
    Attendance,
    Choice,
    Connection,
    Convening,
    Question,
    QuestionKind,
    Questionnaire,
    Report,
    Response,
    RoleAssignment,
    Session,
    search_normalize,
)

QUESTIONNAIRE_EVERY = 5
TOPICS = ["Mediación comunitaria", "Datos abiertos de justicia", "Seguridad digital", "Financiamiento local",
          "Alianzas con gobierno", "Comunicación", "Prevención con jóvenes", "Derechos de la niñez"]
INSIGHT = "La participación de organizaciones distintas enriqueció la conversación sobre mediación."
REVIEW = {"expected": "Acuerdos concretos", "happened": "Buena participación", "why_different": "Poco tiempo",
          "keep": "Rotar la facilitación", "change": "Votar la agenda antes"}


class Writer:
    def __init__(self, bench, *, convenings: int, answers: int) -> None:
        from tequio.bench.generate import split

        self.bench = bench
        self.rng = bench.random("convenings")
        communities = bench.communities
        self.per_community = split(convenings, len(communities), 5)
        self.answers = answers
        self.template = self._template()

    def _template(self) -> list[dict]:
        from .services import BUILTIN_TEMPLATES, LIKERT_LABELS

        _title, _description, questions = BUILTIN_TEMPLATES["post_convening"]()
        for spec in questions:
            if spec["kind"] == QuestionKind.LIKERT:
                spec["choices"] = [str(label) for _value, label in LIKERT_LABELS]
        return questions

    def run(self) -> None:
        communities = self.bench.communities
        small = self.answers // 2
        questionnaires_total = sum(count // QUESTIONNAIRE_EVERY for count in self.per_community[1:]) + \
            self.per_community[0] // QUESTIONNAIRE_EVERY
        per_small = max(1, small // max(1, questionnaires_total))
        for index, (community, count) in enumerate(zip(communities, self.per_community, strict=True)):
            self.community(community, count, answers_each=per_small, big=self.answers - small if index == 0 else 0)

    def community(self, community, count: int, *, answers_each: int, big: int) -> None:
        rng = self.rng
        people = list(Person.objects.filter(community=community).values_list("pk", flat=True))
        affiliation: dict[int, tuple[int, str]] = {}
        for person_id, organization_id, level in (
            Affiliation.objects.filter(person__community=community, is_primary=True)
            .values_list("person_id", "organization_id", "staff_level")
        ):
            affiliation[person_id] = (organization_id, level)
        organizations = sorted({org for org, _level in affiliation.values()} - {community.convener_organization_id})
        if len(organizations) < 2 or len(people) < ATTENDEES_PER_CONVENING:
            return
        start = self.bench.start - timedelta(days=3 * count)
        convenings = Convening.objects.bulk_create([
            Convening(community=community, title=f"Encuentro {number + 1}", objectives="Aprender juntas.",
                      starts_at=start + timedelta(days=3 * number), ends_at=start + timedelta(days=3 * number, hours=8),
                      place="Sede de la comunidad", agenda_open=False, created_at=start + timedelta(days=3 * number - 30))
            for number in range(count)
        ], batch_size=2000)
        sessions, items, roles, attendances, reports, reviews, actions, connections = ([] for _ in range(8))
        for convening in convenings:
            sessions.append(Session(convening=convening, title="Plenaria", position=1))
            for number in range(ITEMS_PER_CONVENING):
                organization = rng.choice(organizations)
                items.append(AgendaItem(convening=convening, title=f"{rng.choice(TOPICS)} {number + 1}",
                                        proposer_kind="convener" if rng.random() < 0.2 else "member",
                                        organization_id=organization, created_at=convening.created_at))
            chosen = rng.sample(people, 4)
            facilitator_org = affiliation.get(chosen[0], (None, ""))[0]
            if facilitator_org is not None and affiliation.get(chosen[2], (None, ""))[0] == facilitator_org:
                # Never the same organization as facilitator and rapporteur.
                spare = [p for p in rng.sample(people, 12) if p not in chosen and affiliation.get(p, (None, ""))[0] != facilitator_org]
                if spare:
                    chosen[2] = spare[0]
            for role, person_id in zip(("facilitator", "co_facilitator", "rapporteur", "host"), chosen, strict=True):
                organization_id, level = affiliation.get(person_id, (None, ""))
                roles.append(RoleAssignment(convening=convening, role=role, person_id=person_id, organization_id=organization_id,
                                            staff_level=level, reason="", from_suggestion=True, assigned_at=convening.created_at))
            for person_id in rng.sample(people, ATTENDEES_PER_CONVENING):
                organization_id, level = affiliation.get(person_id, (None, ""))
                attendances.append(Attendance(convening=convening, person_id=person_id, organization_id=organization_id,
                                              staff_level=level, method="steward", checked_in_at=convening.starts_at))
            reports.append(Report(convening=convening, rapporteur_id=chosen[2], insights=INSIGHT, search_text=search_normalize(INSIGHT),
                                  published_at=convening.ends_at, created_at=convening.ends_at))
            reviews.append(AfterActionReview(convening=convening, version=1, **REVIEW,
                                             search_text=search_normalize(" ".join(REVIEW.values()))))
            for number in range(2):
                actions.append(ActionItem(convening=convening, title=f"Acuerdo {number + 1}", owner_id=rng.choice(people),
                                          due_on=(convening.starts_at + timedelta(days=30)).date(),
                                          status="done" if convening is not convenings[-1] else "open",
                                          created_at=convening.ends_at))
            first, second = sorted(rng.sample(organizations, 2))
            connections.append(Connection(convening=convening, organization_a_id=first, organization_b_id=second,
                                          created_at=convening.ends_at))
        Session.objects.bulk_create(sessions, batch_size=2000)
        items = AgendaItem.objects.bulk_create(items, batch_size=2000)
        votes = []
        for convening_items in (items[i:i + ITEMS_PER_CONVENING] for i in range(0, len(items), ITEMS_PER_CONVENING)):
            voters = rng.sample(organizations, min(len(organizations), 4))
            for organization in voters:
                for item in rng.sample(convening_items, 2):
                    votes.append(AgendaVote(convening_id=item.convening_id, item=item, organization_id=organization,
                                            dots=rng.randint(1, 2), updated_at=item.created_at))
        AgendaVote.objects.bulk_create(votes, batch_size=2000)
        for model, rows in ((RoleAssignment, roles), (Attendance, attendances), (Report, reports),
                            (AfterActionReview, reviews), (ActionItem, actions), (Connection, connections)):
            model.objects.bulk_create(rows, batch_size=2000)
        past = [convening for convening in convenings if convening.ends_at < self.bench.start]
        polled = past[::-QUESTIONNAIRE_EVERY]
        for number, convening in enumerate(polled):
            size = big if number == 0 and big else answers_each
            self.questionnaire(community, convening, size)

    def questionnaire(self, community, convening, answers: int) -> None:
        rng = self.rng
        questionnaire = Questionnaire.objects.create(
            community=community, convening=convening, title=f"Evaluación: {convening.title}", status="closed",
            source="template:post_convening", created_at=convening.ends_at, opened_at=convening.ends_at,
            closed_at=convening.ends_at + timedelta(days=14))
        questions, choices = [], defaultdict(list)
        for position, spec in enumerate(self.template, start=1):
            questions.append(Question(questionnaire=questionnaire, position=position, kind=spec["kind"], name=spec["name"],
                                      text=spec["text"], required=spec.get("required", False)))
        questions = Question.objects.bulk_create(questions)
        rows = []
        for question, spec in zip(questions, self.template, strict=True):
            for index, label in enumerate(spec.get("choices") or [], start=1):
                rows.append(Choice(question=question, position=index, value=str(index), label=str(label)))
        for choice in Choice.objects.bulk_create(rows):
            choices[choice.question_id].append(choice)
        per_response = 12  # four Likert, two choices, a ranking of four, a number, a word
        responses = Response.objects.bulk_create([
            Response(questionnaire=questionnaire, respondent_hash=respondent_key(questionnaire.pk, number),
                     submitted_at=convening.ends_at + timedelta(days=1))
            for number in range(max(1, -(-answers // per_response)))  # rounded up: at least ``answers`` rows
        ], batch_size=2000)
        answer_rows: list[Answer] = []
        for response in responses:
            for question in questions:
                options = choices.get(question.pk, [])
                if question.kind == QuestionKind.LIKERT:
                    choice = options[min(4, max(1, int(rng.gauss(3.7, 0.9))))]
                    answer_rows.append(Answer(response=response, question=question, choice=choice, number=choice.position))
                elif question.kind == QuestionKind.MULTIPLE:
                    answer_rows += [Answer(response=response, question=question, choice=choice) for choice in rng.sample(options, 2)]
                elif question.kind == QuestionKind.RANKING:
                    answer_rows += [Answer(response=response, question=question, choice=choice, rank=rank)
                                    for rank, choice in enumerate(rng.sample(options, len(options)), start=1)]
                elif question.kind == QuestionKind.NUMBER:
                    answer_rows.append(Answer(response=response, question=question, number=rng.randint(0, 8)))
                elif question.kind == QuestionKind.SHORT_TEXT:
                    answer_rows.append(Answer(response=response, question=question, text=rng.choice(TOPICS)))
            if len(answer_rows) >= 20_000:
                Answer.objects.bulk_create(answer_rows, batch_size=5000)
                answer_rows = []
        Answer.objects.bulk_create(answer_rows, batch_size=5000)
