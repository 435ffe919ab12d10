"""Database models, one module per aggregate. Import from here."""

from matchmaker.models.base import utcnow
from matchmaker.models.category import Category
from matchmaker.models.company import (
    COMPANY_SIZES,
    COMPANY_STATUSES,
    OPPORTUNITY_KINDS,
    OPPORTUNITY_TYPES,
    Company,
    CompanyDescription,
    Opportunity,
    opportunity_categories,
)
from matchmaker.models.matching import (
    OPEN_STATUSES,
    PAIR_RULES,
    REQUEST_STATUSES,
    HiddenSuggestion,
    MeetingRequest,
    OpportunityEmbedding,
    PairRule,
    pair_key,
)
from matchmaker.models.user import ROLES, User

__all__ = [
    "COMPANY_SIZES",
    "OPEN_STATUSES",
    "PAIR_RULES",
    "REQUEST_STATUSES",
    "HiddenSuggestion",
    "MeetingRequest",
    "OpportunityEmbedding",
    "PairRule",
    "pair_key",
    "COMPANY_STATUSES",
    "OPPORTUNITY_KINDS",
    "OPPORTUNITY_TYPES",
    "ROLES",
    "Category",
    "Company",
    "CompanyDescription",
    "Opportunity",
    "User",
    "opportunity_categories",
    "utcnow",
]
