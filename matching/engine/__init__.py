"""The volunteer-matching engine: ranks open opportunities and groups for a
resident's profile by what they can do, when they are free and where they live,
and says why.

It works on plain records (matching.engine.records) and imports nothing from
the page tree, so it is built and tested without a database: pages and
management commands turn their models into records and call the engine.
"""

from .ranking import MatchingEngine
from .records import Group, Opportunity, Place, Profile, Result, Skill, Weights

__all__ = [
    "Group",
    "MatchingEngine",
    "Opportunity",
    "Place",
    "Profile",
    "Result",
    "Skill",
    "Weights",
]
