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


# The admin form of a new ActivityPage, as an editor fills it in (no inline rows).
NEW_ACTIVITY = {
    "title": "防災まちあるき",
    "slug": "bousai-machiaruki",
    "kind": "workshop",
    "start_date": "2027-04-10",
    "start_time": "10:00",
    "end_time": "12:00",
    "body-count": "0",
    "speakers-TOTAL_FORMS": "0",
    "speakers-INITIAL_FORMS": "0",
    "speakers-MIN_NUM_FORMS": "0",
    "speakers-MAX_NUM_FORMS": "1000",
    "participations-TOTAL_FORMS": "0",
    "participations-INITIAL_FORMS": "0",
    "participations-MIN_NUM_FORMS": "0",
    "participations-MAX_NUM_FORMS": "1000",
    "application_mode": "none",
    "max_party_size": "1",
    "keeps_waitlist": "on",
    "application_questions-TOTAL_FORMS": "0",
    "application_questions-INITIAL_FORMS": "0",
    "application_questions-MIN_NUM_FORMS": "0",
    "application_questions-MAX_NUM_FORMS": "1000",
}
