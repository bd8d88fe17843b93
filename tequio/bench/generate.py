"""National-scale data for the benchmarks, the same on every run.

At scale 1: 2,000 organizations, 10,000 people and 50 communities, with accounts,
memberships in every role, affiliations, goals, charter versions, peer groups,
invitations and the audit events of all those joins. Community sizes follow a long
tail (size proportional to 1/rank), as real networks do, so the largest community is
about a fifth of the whole: the one ``bench pages`` measures.

Rows are written with ``bulk_create``, not through the services: the services are
exercised by the demo and the tests; here the point is volume, in seconds. Every random
choice comes from ``random.Random`` seeded with a fixed value, and every timestamp is
derived from a fixed start date, so two runs write the same data.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import F

from tequio.core import choices, registry
from tequio.core.demo import DEMO_PASSWORD, demo_load
from tequio.core.models import (
    Affiliation,
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

SEED = 20181017
ORGANIZATIONS_PER_SCALE = 2_000
PEOPLE_PER_SCALE = 10_000
COMMUNITIES_PER_SCALE = 50
SLUG_PREFIX = "bench-"
EMAIL_DOMAIN = "bench.example.org"
MEMBER_SHARE = 0.3  # people with an account and a membership; the rest are registry entries
START = datetime(2020, 1, 6, 9, 0, tzinfo=ZoneInfo("America/Mexico_City"))

FIRST_NAMES = [
    "María", "José", "Guadalupe", "Juan", "Ana", "Luis", "Rosa", "Carlos", "Elena", "Jorge", "Lucía", "Miguel",
    "Fernanda", "Alejandro", "Sofía", "Ricardo", "Patricia", "Andrés", "Daniela", "Héctor", "Gabriela", "Raúl",
    "Valeria", "Arturo", "Ximena", "Diego", "Itzel", "Emiliano", "Karla", "Tomás", "Mónica", "Javier", "Citlali",
    "Pascual", "Yolanda", "Rodrigo", "Alma", "Iván", "Norma", "Saúl", "Paola", "Efraín", "Brenda", "Óscar",
]
SURNAMES = [
    "Hernández", "García", "Martínez", "López", "González", "Pérez", "Rodríguez", "Sánchez", "Ramírez", "Cruz",
    "Flores", "Gómez", "Morales", "Vázquez", "Reyes", "Jiménez", "Torres", "Díaz", "Gutiérrez", "Ruiz", "Mendoza",
    "Aguilar", "Ortiz", "Moreno", "Castillo", "Romero", "Álvarez", "Méndez", "Chávez", "Rivera", "Juárez",
    "Ramos", "Domínguez", "Herrera", "Medina", "Castro", "Vargas", "Guzmán", "Velázquez", "Salazar", "Encinas",
    "Valenzuela", "Yocupicio", "Buitimea", "Garza", "Treviño", "Cantú", "Quintero", "Lizárraga", "Osuna",
]
ORG_FORMS = [
    "Fundación", "Centro", "Colectivo", "Red", "Observatorio", "Asociación", "Iniciativa", "Instituto",
    "Casa", "Alianza", "Consejo", "Coordinadora",
]
ORG_SUBJECTS = [
    "Ciudadano por la Paz", "de Derechos Humanos", "de Mediación Comunitaria", "por la Niñez", "de Mujeres",
    "por la Justicia", "de Jóvenes", "para el Desarrollo Comunitario", "de Prevención de la Violencia",
    "por la Transparencia", "de Tecnología Social", "para la Inclusión", "de Defensa del Territorio",
    "por la Reinserción", "de Apoyo a Migrantes", "de Cultura de Paz",
]
POSITIONS = {
    choices.StaffLevel.LEADERSHIP: ["Directora", "Director", "Presidenta", "Coordinador general"],
    choices.StaffLevel.MANAGEMENT: ["Gerente de programas", "Administradora", "Responsable de finanzas"],
    choices.StaffLevel.COORDINATION: ["Coordinadora de proyectos", "Coordinador de incidencia", "Enlace"],
    choices.StaffLevel.FIELD: ["Promotora comunitaria", "Facilitador", "Analista", "Educadora"],
    choices.StaffLevel.VOLUNTEER: ["Voluntaria", "Voluntario", "Servicio social"],
}
MUNICIPALITIES = {
    "BCN": ["Tijuana", "Mexicali", "Ensenada"], "SON": ["Hermosillo", "Cajeme", "Nogales", "Guaymas"],
    "COA": ["Saltillo", "Torreón", "Monclova"], "CMX": ["Cuauhtémoc", "Iztapalapa", "Coyoacán", "Tlalpan"],
    "CHH": ["Juárez", "Chihuahua"], "OAX": ["Oaxaca de Juárez", "Juchitán de Zaragoza"], "GRO": ["Chilpancingo de los Bravo", "Acapulco de Juárez"],
    "JAL": ["Guadalajara", "Zapopan"], "NLE": ["Monterrey", "Guadalupe"], "CHP": ["San Cristóbal de las Casas", "Tapachula"],
}
REGIONS = ["Noroeste", "Norte", "Centro", "Sur", "Sureste", "Occidente", "Golfo", "Frontera", "Bajío", "Pacífico"]


@dataclass
class BenchData:
    """What capability ``bench_generate(bench=...)`` hooks receive.

    ``communities`` are the generated ones, largest first. ``random(label)`` gives a hook
    its own seeded generator, so adding one app never changes another app's data.
    """

    scale: float
    seed: int
    communities: list[Community]
    start: datetime
    members_by_community: dict[int, list[int]] = field(default_factory=dict)  # community id -> user ids

    def random(self, label: str) -> random.Random:
        return random.Random(f"{self.seed}:{label}")


def expected_communities(scale: float) -> int:
    return max(1, round(COMMUNITIES_PER_SCALE * scale))


def split(total: int, count: int, minimum: int) -> list[int]:
    """``total`` split over ``count`` parts proportional to 1/rank, each at least ``minimum``."""
    minimum = min(minimum, total // count)
    weights = [1 / rank for rank in range(1, count + 1)]
    rest = total - minimum * count
    shares = [rest * weight / sum(weights) for weight in weights]
    parts = [minimum + int(share) for share in shares]
    # Largest remainders first, so the parts add up to the total exactly.
    order = sorted(range(count), key=lambda index: (-(shares[index] - int(shares[index])), index))
    for index in order[: total - sum(parts)]:
        parts[index] += 1
    return parts


def bench_status(scale: float) -> str:
    """"absent", "present" (at this scale) or "other" (another scale: reset first)."""
    existing = Community.objects.filter(slug__startswith=SLUG_PREFIX).count()
    if existing == 0:
        return "absent"
    return "present" if existing == expected_communities(scale) else "other"


def generate(*, scale: float = 1, seed: int = SEED, log: Callable[[str], None] = lambda message: None) -> BenchData:
    """Load the demo (for comparison) and the national-scale data into the current database."""
    if scale <= 0:
        raise ValueError("scale must be positive")
    demo_load()
    log("demo")
    with transaction.atomic():
        data = _Generator(scale=scale, seed=seed, log=log).run()
        for capability in registry.capabilities():
            if capability.bench_generate:
                capability.bench_generate(bench=data)
                log(f"capability {capability.label}")
    return data


class _Generator:
    def __init__(self, *, scale: float, seed: int, log: Callable[[str], None]) -> None:
        self.scale = scale
        self.seed = seed
        self.rng = random.Random(seed)
        self.log = log
        self.n_communities = expected_communities(scale)
        self.n_organizations = max(3 * self.n_communities, round(ORGANIZATIONS_PER_SCALE * scale))
        self.n_people = max(10 * self.n_communities, round(PEOPLE_PER_SCALE * scale))

    def moment(self, days: float) -> datetime:
        return START + timedelta(days=days)

    def run(self) -> BenchData:
        rng = self.rng
        org_sizes = split(self.n_organizations, self.n_communities, 3)
        people_sizes = split(self.n_people, self.n_communities, 10)
        communities = self.communities()
        self.log(f"{len(communities)} communities")

        organizations = self.organizations(communities, org_sizes)
        self.log(f"{sum(len(orgs) for orgs in organizations)} organizations")

        # Accounts first: people point at them. The first members of each community
        # are its convener and stewards.
        member_counts = [max(4, round(size * MEMBER_SHARE)) for size in people_sizes]
        users = self.users(sum(min(count, size) for count, size in zip(member_counts, people_sizes, strict=True)))
        user_iter = iter(users)

        people_by_community: list[list[Person]] = []
        roles_by_community: list[list[str]] = []
        rows: list[Person] = []
        for index, community in enumerate(communities):
            size = people_sizes[index]
            members = min(member_counts[index], size)
            roles = [choices.Role.CONVENER, choices.Role.STEWARD, choices.Role.STEWARD]
            roles += rng.choices(
                [choices.Role.MEMBER, choices.Role.ALLY, choices.Role.OBSERVER], weights=[70, 20, 10], k=members - 3
            )
            roles_by_community.append(roles)
            people = []
            for number in range(size):
                user = next(user_iter) if number < members else None
                given, family = rng.choice(FIRST_NAMES), f"{rng.choice(SURNAMES)} {rng.choice(SURNAMES)}"
                person = Person(
                    community=community, user=user, display_name=f"{given} {family}",
                    languages=["es", "en"] if rng.random() < 0.15 else ["es"],
                    age_band=rng.choice(["", *choices.AgeBand.values]), gender=rng.choice(["", *choices.Gender.values]),
                    email=user.email if user else "", created_at=self.moment(rng.uniform(0, 400)),
                )
                person.updated_at = person.created_at
                people.append(person)
            people_by_community.append(people)
            rows.extend(people)
        Person.objects.bulk_create(rows, batch_size=2000)
        self.log(f"{len(rows)} people, {len(users)} accounts")

        self.affiliations(people_by_community, organizations)
        members_by_community = self.memberships(communities, people_by_community, roles_by_community)
        self.goals_and_charters(communities)
        self.peer_groups(communities, people_by_community)
        self.invitations(communities, organizations)

        # The convener organization is each community's first one.
        for community, orgs in zip(communities, organizations, strict=True):
            community.convener_organization = orgs[0]
        Community.objects.bulk_update(communities, ["convener_organization"])
        # bulk_create stamps auto_now fields with the wall clock; the data must not depend on it.
        ids = [community.pk for community in communities]
        Community.objects.filter(pk__in=ids).update(updated_at=F("created_at"))
        for model in (Organization, Person, Goal):
            model.objects.filter(community_id__in=ids).update(updated_at=F("created_at"))
        return BenchData(scale=self.scale, seed=self.seed, communities=communities, start=START,
                         members_by_community=members_by_community)

    def communities(self) -> list[Community]:
        rng = self.rng
        rows = []
        for index in range(self.n_communities):
            region = REGIONS[index % len(REGIONS)]
            created = self.moment(index)
            # Content, not interface: the same words whatever language the command runs in.
            rows.append(Community(
                slug=f"{SLUG_PREFIX}{index + 1:03d}",
                name=f"Comunidad de aprendizaje {region} {index + 1:02d}",
                purpose="Comunidad de aprendizaje generada para las pruebas de rendimiento.",
                languages=["es", "en"] if index % 4 == 0 else ["es"],
                stage=rng.choice(choices.Stage.values),
                privacy=choices.Privacy.LISTED,
                created_at=created, updated_at=created,
            ))
        return Community.objects.bulk_create(rows)

    def organizations(self, communities: list[Community], sizes: list[int]) -> list[list[Organization]]:
        rng = self.rng
        per_community: list[list[Organization]] = []
        rows = []
        for community, size in zip(communities, sizes, strict=True):
            names: set[str] = set()
            orgs = []
            for number in range(size):
                state = rng.choice(list(MUNICIPALITIES))
                municipality = rng.choice(MUNICIPALITIES[state])
                name = f"{rng.choice(ORG_FORMS)} {rng.choice(ORG_SUBJECTS)} {municipality}"
                if name in names:
                    name = f"{name} {number}"
                names.add(name)
                kind = choices.OrganizationKind.DONOR if number == 0 else rng.choices(
                    choices.OrganizationKind.values, weights=[60, 12, 6, 4, 6, 2, 3, 5, 2]
                )[0]
                created = self.moment(rng.uniform(0, 400))
                orgs.append(Organization(
                    community=community, name=name, kind=kind, state=state, municipality=municipality,
                    thematic_areas=rng.sample(choices.ThematicArea.values, k=rng.randint(1, 3)),
                    excluded_groups=rng.sample(choices.ExcludedGroup.values, k=rng.randint(0, 2)),
                    size=rng.choice(choices.OrganizationSize.values), founding_year=rng.randint(1985, 2019),
                    description="Organización generada para las pruebas de rendimiento.",
                    offers="Metodologías y contactos.", seeks="Alianzas y datos.",
                    tier=rng.choice(["", "Nivel 1", "Nivel 2"]), created_at=created, updated_at=created,
                ))
            per_community.append(orgs)
            rows.extend(orgs)
        Organization.objects.bulk_create(rows, batch_size=2000)
        return per_community

    def users(self, count: int) -> list:
        from allauth.account.models import EmailAddress

        User = get_user_model()
        # One hash for all: hashing is deliberately slow and these accounts share a password.
        password = make_password(DEMO_PASSWORD)
        users = [
            User(username=f"u{number:06d}@{EMAIL_DOMAIN}", email=f"u{number:06d}@{EMAIL_DOMAIN}", password=password,
                 date_joined=self.moment(number / 100))
            for number in range(count)
        ]
        users = User.objects.bulk_create(users, batch_size=2000)
        EmailAddress.objects.bulk_create(
            [EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in users], batch_size=2000
        )
        return users

    def affiliations(self, people_by_community: list[list[Person]], organizations: list[list[Organization]]) -> None:
        rng = self.rng
        levels = choices.StaffLevel.values
        rows = []
        for people, orgs in zip(people_by_community, organizations, strict=True):
            for person in people:
                picks = [rng.choice(orgs)]
                if rng.random() < 0.15 and len(orgs) > 1:
                    second = rng.choice(orgs)
                    if second is not picks[0]:
                        picks.append(second)
                for rank, organization in enumerate(picks):
                    level = rng.choices(levels, weights=[10, 12, 20, 45, 13])[0]
                    rows.append(Affiliation(
                        person=person, organization=organization, position=rng.choice(POSITIONS[level]),
                        staff_level=level, is_primary=rank == 0, created_at=person.created_at,
                    ))
        Affiliation.objects.bulk_create(rows, batch_size=2000)
        self.log(f"{len(rows)} affiliations")

    def memberships(self, communities, people_by_community, roles_by_community) -> dict[int, list[int]]:
        memberships = []
        events = []
        members: dict[int, list[int]] = {}
        for community, people, roles in zip(communities, people_by_community, roles_by_community, strict=True):
            members[community.pk] = []
            for person, role in zip(people, roles, strict=False):
                joined = community.created_at + timedelta(days=len(members[community.pk]) % 300)
                memberships.append(Membership(community=community, user=person.user, role=role, person=person, joined_at=joined))
                members[community.pk].append(person.user.pk)
        memberships = Membership.objects.bulk_create(memberships, batch_size=2000)
        for membership in memberships:
            events.append(AuditEvent(
                community=membership.community, actor=membership.user, action="membership.join",
                target_type="membership", target_id=str(membership.pk), target_repr=membership.person.display_name,
                data={"role": membership.role}, created_at=membership.joined_at,
            ))
        AuditEvent.objects.bulk_create(events, batch_size=2000)
        self.log(f"{len(memberships)} memberships")
        return members

    def goals_and_charters(self, communities: list[Community]) -> None:
        rng = self.rng
        goals, charters = [], []
        for community in communities:
            for position in range(1, rng.randint(5, 12) + 1):
                created = community.created_at + timedelta(days=position)
                goals.append(Goal(
                    community=community, title=f"Objetivo {position}: {rng.choice(ORG_SUBJECTS).lower()}",
                    description="Objetivo generado para las pruebas de rendimiento.",
                    horizon=rng.choice(choices.Horizon.values), status=rng.choices(choices.GoalStatus.values, weights=[7, 2, 1])[0],
                    position=position, created_at=created, updated_at=created,
                ))
            for version in range(1, rng.randint(1, 3) + 1):
                leadership = rng.choice(choices.LeadershipModel.values)
                adopted = community.created_at + timedelta(days=120 * (version - 1) + 1)
                charters.append(Charter(
                    community=community, version=version,
                    roles_responsibilities="- **Coordinación:** rota entre miembros.\n- **Relatoría:** cambia en cada encuentro.",
                    leadership_model=leadership,
                    rotation_period_months=rng.choice([3, 6, 12]) if leadership == choices.LeadershipModel.ROTATING else None,
                    decision_rule=rng.choice(choices.DecisionRule.values),
                    rules_of_engagement="Respeto y confidencialidad.", accountability="Informe por encuentro.",
                    participation_scheme="Un encuentro trimestral.", expected_effort="Un día al trimestre",
                    adopted_on=adopted.date(), adopted_how="consenso", review_period_months=12, created_at=adopted,
                ))
        Goal.objects.bulk_create(goals, batch_size=2000)
        Charter.objects.bulk_create(charters, batch_size=2000)
        self.log(f"{len(goals)} goals, {len(charters)} charter versions")

    def peer_groups(self, communities: list[Community], people_by_community: list[list[Person]]) -> None:
        rng = self.rng
        names = [("Direcciones", choices.PeerGroupBasis.ROLE), ("Coordinaciones", choices.PeerGroupBasis.ROLE),
                 ("Personal joven de campo", choices.PeerGroupBasis.ROLE), ("Mediación", choices.PeerGroupBasis.THEME)]
        groups, picks = [], []
        for community, people in zip(communities, people_by_community, strict=True):
            for name, basis in names:
                groups.append(PeerGroup(community=community, name=name, basis=basis, created_at=community.created_at,
                                        description="Grupo de pares generado."))
                picks.append(rng.sample(people, k=min(len(people), rng.randint(4, 15))))
        groups = PeerGroup.objects.bulk_create(groups)
        through = PeerGroup.members.through
        through.objects.bulk_create(
            [through(peergroup_id=group.pk, person_id=person.pk) for group, members in zip(groups, picks, strict=True)
             for person in members],
            batch_size=2000,
        )

    def invitations(self, communities: list[Community], organizations: list[list[Organization]]) -> None:
        rng = self.rng
        rows = []
        for community, orgs in zip(communities, organizations, strict=True):
            for number in range(5):
                created = community.created_at + timedelta(days=30 + number)
                token = hashlib.sha256(f"{self.seed}:{community.slug}:{number}".encode()).hexdigest()
                rows.append(Invitation(
                    community=community, email=f"invitada{number}.{community.slug}@{EMAIL_DOMAIN}",
                    role=choices.Role.MEMBER, organization=rng.choice(orgs), token_hash=token,
                    created_at=created, expires_at=created + timedelta(days=14),
                ))
        Invitation.objects.bulk_create(rows)
