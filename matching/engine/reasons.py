"""Reasons: why an opportunity or a group was suggested, in the resident's language."""

import numpy as np

from django.utils.translation import gettext as _

from search import analysis

from .geo import haversine_km
from .slots import slot_label, validate_slots
from .text import phrases_of, quoted_words

MAX_SKILL_REASONS = 3
MAX_TERM_REASONS = 2
# A reason says two words are close in meaning only where the vectors hold
# them close: weaker bridges (大工–修繕, 0.42) still count in the score, but
# among them are pairs that are merely related (趣味–スポーツ, 元気–体調).
REASON_SIMILARITY = 0.5
# The term of the honorific prefix お/ご (御), quoted with the word it precedes.
HONORIFIC = "御"


class Reasons:
    """The reasons for one profile's results, in a stable order: skills,
    availability, distance, words, then a note when the opportunity is full.

    A reason is given only for a component that counted (weight above 0)
    and found something to say.
    """

    def __init__(self, engine, profile, query, bridged=None):
        self.engine = engine
        self.weights = engine.weights
        self.profile = profile
        self.owned = set(profile.skills)
        self.query = query
        self.bridged = bridged or {}
        self._phrases = None

    def for_opportunity(self, index):
        item = self.engine._opportunities[index]
        reasons = self.skills(item) + self.slots(item) + self.distance(item.place)
        reasons += self.words(self.engine._documents, index, self.skill_terms(item))
        if item.is_full and self.weights.crowding > 0:
            reasons.append(_("Already full"))
        return tuple(reasons)

    def for_group(self, position, skills, availability):
        engine = self.engine
        group = engine._groups[position]
        members = engine._members[position]
        reasons, skip = [], frozenset()
        if members.size:
            # Explain with the member that gave the group its component.
            best_skills = engine._opportunities[members[np.argmax(skills[members])]]
            best_slots = engine._opportunities[members[np.argmax(availability[members])]]
            reasons += self.skills(best_skills) + self.slots(best_slots)
            skip = self.skill_terms(best_skills)
        reasons += self.distance(group.place)
        reasons += self.words(engine._group_documents, position, skip)
        return tuple(reasons)

    def skills(self, item):
        if self.weights.skills <= 0:
            return []
        names = [self.engine._taxonomy.name(slug) for slug in item.skills if slug in self.owned]
        return [_("Skill “%(name)s” matches") % {"name": name} for name in names][
            :MAX_SKILL_REASONS
        ]

    def slots(self, item):
        if self.weights.availability <= 0 or not item.slots:
            return []
        labels = [slot_label(code) for code in validate_slots(item.slots & self.profile.slots)]
        if not labels:
            return []
        if len(labels) == 1:
            return [_("You can take part on %(slot)s") % {"slot": labels[0]}]
        return [
            _("You can take part on %(first)s and %(second)s")
            % {"first": labels[0], "second": labels[1]}
        ]

    def distance(self, place):
        home = self.profile.place
        if self.weights.distance <= 0 or home is None or place is None:
            return []
        km = haversine_km(home.lat, home.lon, place.lat, place.lon)
        if km < 0.05:
            # Places are often area centroids: "about 0.0 km" would read oddly.
            return [_("In your neighbourhood")]
        if km <= self.profile.max_km:
            return [_("About %(km)s km from home") % {"km": f"{km:.1f}"}]
        return [
            _("About %(km)s km from home, farther than your %(max_km)s km")
            % {"km": f"{km:.1f}", "max_km": f"{self.profile.max_km:g}"}
        ]

    def skill_terms(self, item):
        """The terms of the matching skills' names and aliases: named already."""
        if self.weights.skills <= 0:
            return frozenset()
        terms_of = self.engine._taxonomy.terms_of
        return frozenset().union(*(terms_of(slug) for slug in item.skills if slug in self.owned))

    def words(self, documents, row, skip):
        """The resident's words that weigh most in the cosine."""
        if self.weights.text <= 0 or not self.query:
            return []
        start, end = documents.indptr[row], documents.indptr[row + 1]
        columns = documents.indices[start:end].tolist()
        weights = documents.data[start:end].tolist()
        shared = {
            self.engine._vocabulary.terms[column]: self.query[column] * weight
            for column, weight in zip(columns, weights, strict=True)
            if column in self.query
        }
        if not shared:
            return []
        if self._phrases is None:
            known = self.engine._taxonomy.phrases
            self._phrases = [
                known.get(part) or (analysis.normalize(part), phrases_of(part))
                for part in self.engine._profile_document(self.profile)
            ]
        reasons = []
        words = quoted_words(self._phrases, shared, skip)[:MAX_TERM_REASONS]
        if len(words) == 1:
            reasons.append(_("Your interest “%(term)s” matches") % {"term": words[0]})
        elif words:
            reasons.append(
                _("Your interests “%(first)s” and “%(second)s” match")
                % {"first": words[0], "second": words[1]}
            )
        return reasons + self.bridge(shared, words)

    def bridge(self, shared, quoted):
        """The heaviest word a bridge reached: the resident's word and the listing's.

        Left out when the resident's word is quoted as matching already, or
        the two are not close enough (REASON_SIMILARITY).
        """
        terms = self.engine._vocabulary.terms
        bridged = sorted(
            (-shared[terms[column]], terms[column], found.term, found.parts)
            for column, found in self.bridged.items()
            if terms[column] in shared and found.similarity >= REASON_SIMILARITY
        )
        for _weight, theirs, term, parts in bridged:
            # The resident's word as they wrote it (both parts of a word two
            # terms make: 車いす for 車椅子; the お or ご before it, Sudachi's
            # 御: お母さん, not 母さん), else the term.
            words = {HONORIFIC: 0.0, **dict.fromkeys(parts or (term,), 1.0)}
            mine = quoted_words(self._phrases, words)
            yours = mine[0] if mine else term
            if yours == theirs or any(yours in word or word in yours for word in quoted):
                continue
            return [
                _("“%(yours)s” and “%(theirs)s” are close in meaning")
                % {"yours": yours, "theirs": theirs}
            ]
        return []
