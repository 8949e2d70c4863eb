"""Every public page type, by content-type model name: the demo content has each."""

PAGE_TYPES = [
    "homepage",
    "standardpage",
    "activityindexpage",
    "activitypage",
    "groupindexpage",
    "grouppage",
    "newsletterindexpage",
    "newsletterissuepage",
    "facilityindexpage",
    "facilitypage",
    "planpage",
    "opportunitypage",
    "accessibilitypolicypage",
    "accessibilityreportpage",
]
