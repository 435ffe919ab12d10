"""The event day: badges and their check-in links, the check-in desk, meeting attendance and
same-day re-matching. Each part is a module; ``tokens`` is the one every other part shares."""
