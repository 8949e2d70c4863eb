"""The plain records the engine ranks: no models, no pages, no database.

Each is a frozen, hashable dataclass. Sequences given as lists are kept as
tuples (and slots as a frozenset), so records built from JSON or querysets
compare and hash the same as records written out by hand.

An opportunity's or group's `key` identifies it to the engine: the site uses
the page id (slugs are unique only among a page's siblings, so two groups
can both have an opportunity `otetsudai`). The engine only needs keys that
are distinct and ordered (they break ties), so tests use short strings.
`slug` is for display and for files people write by hand.
"""

import math
from dataclasses import dataclass, field


def _tuple(values):
    """A tuple of the values without repeats, in their first order."""
    if isinstance(values, str):
        values = (values,)
    return tuple(dict.fromkeys(values))


def _frozenset(values):
    return frozenset((values,) if isinstance(values, str) else values)


def _check_count(record, name):
    value = getattr(record, name)
    if value is not None and value < 0:
        raise ValueError(f"{type(record).__name__} {record.key!r}: {name} must not be negative")


@dataclass(frozen=True, slots=True)
class Skill:
    """A skill of the taxonomy: slug, display name and other words for it."""

    slug: str
    name: str
    aliases: tuple[str, ...] = ()

    def __post_init__(self):
        object.__setattr__(self, "aliases", _tuple(self.aliases))


@dataclass(frozen=True, slots=True)
class Place:
    """A point (WGS84 degrees): an area's centroid or a facility."""

    lat: float
    lon: float

    def __post_init__(self):
        if not (-90 <= self.lat <= 90 and -180 <= self.lon <= 180):
            raise ValueError(f"not a place on Earth: lat {self.lat!r}, lon {self.lon!r}")


@dataclass(frozen=True, slots=True)
class Opportunity:
    """A volunteer opportunity of a group.

    `skills` are skill slugs; `slots` slot codes (none: flexible);
    `accepted` counts connections already made, `pending` suggestions not yet
    answered; with `capacity` they say how crowded the opportunity is;
    `group_key` is the key of its group.
    """

    key: int | str
    title: str
    description: str = ""
    skills: tuple[str, ...] = ()
    slots: frozenset[str] = frozenset()
    place: Place | None = None
    capacity: int | None = None
    accepted: int = 0
    pending: int = 0
    is_open: bool = True
    group_key: int | str | None = None
    fields: tuple[str, ...] = ()
    slug: str = ""

    def __post_init__(self):
        object.__setattr__(self, "skills", _tuple(self.skills))
        object.__setattr__(self, "slots", _frozenset(self.slots))
        object.__setattr__(self, "fields", _tuple(self.fields))
        for name in ("capacity", "accepted", "pending"):
            _check_count(self, name)

    @property
    def is_full(self):
        return self.capacity is not None and self.accepted >= self.capacity


@dataclass(frozen=True, slots=True)
class Group:
    """A citizens' group; its open opportunities name it by `group_key`."""

    key: int | str
    title: str
    description: str = ""
    fields: tuple[str, ...] = ()
    place: Place | None = None
    slug: str = ""

    def __post_init__(self):
        object.__setattr__(self, "fields", _tuple(self.fields))


@dataclass(frozen=True, slots=True)
class Profile:
    """What a resident told us: skills (slugs), interests in their own words,
    the slots they are free, where they live and how far they would go."""

    key: str
    skills: tuple[str, ...] = ()
    interests: str = ""
    slots: frozenset[str] = frozenset()
    place: Place | None = None
    max_km: float = 3.0

    def __post_init__(self):
        object.__setattr__(self, "skills", _tuple(self.skills))
        object.__setattr__(self, "slots", _frozenset(self.slots))
        if not 0 <= self.max_km < math.inf:
            raise ValueError(f"Profile {self.key!r}: max_km must be a distance of 0 or more")


@dataclass(frozen=True, slots=True)
class Weights:
    """How much each component counts. Defaults sum to 1 before the crowding
    penalty; `distance_decay_km` is how fast the score falls beyond max_km."""

    text: float = 0.35
    skills: float = 0.30
    availability: float = 0.20
    distance: float = 0.15
    crowding: float = 0.15
    distance_decay_km: float = 2.0
    # How much a word a bridge reached counts beside the resident's own
    # (times its similarity): see matching.engine.bridges.
    bridge: float = 0.6

    def validate(self):
        """Raise ValueError for a negative weight or a decay that is not positive."""
        for name in ("text", "skills", "availability", "distance", "crowding", "bridge"):
            if not 0 <= getattr(self, name) < math.inf:
                raise ValueError(f"weight {name!r} must be a number of 0 or more")
        if not 0 < self.distance_decay_km < math.inf:
            raise ValueError("distance_decay_km must be a positive number")
        return self


@dataclass(frozen=True, slots=True)
class Result:
    """One ranked opportunity or group.

    `kind` is "opportunity" or "group"; `key` and `slug` are the record's;
    `reasons` are sentences for the resident in the active language;
    `components` the scores behind `score` (text, skills, availability,
    distance in [0, 1] and the crowding penalty).
    """

    kind: str
    key: int | str
    title: str
    score: float
    reasons: tuple[str, ...]
    components: dict[str, float] = field(hash=False)
    slug: str = ""
