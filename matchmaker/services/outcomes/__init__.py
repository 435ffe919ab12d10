"""After the meetings: feedback on held meetings, the follow-up pipeline per company pair,
reminders to keep it up to date, and the privacy rule for anything aggregated."""
