"""Pages after the meetings: feedback forms, the follow-up pipeline, the organisers' views of them."""
